-- A dead-lettered event whose acknowledgement was lost is sent again by its proxy, and was dead-lettered
-- again: two rows for one event. Each dead letter now records the event's id (the id as sent, when it
-- is a usable one: a string of 1 to 200 characters, made storable as in the payload copy), and one
-- event id with one payload is stored once; the insert does nothing on a conflict. The payload is part
-- of the key so that two different events sent under one id (a proxy reusing ids, a batch repeating an
-- id with other content) both keep their dead letters. Rows with no usable id (event_id null) are not
-- keyed, as before.
alter table usage_dead_letters add column event_id text;

-- The rows already stored get their id from their payload; of copies already repeated, the first keeps
-- it and the later ones stay unkeyed (kept as they are: they are history).
with firsts as (
  select id, row_number() over (partition by payload->>'eventId', md5(payload::text) order by id) as n
  from usage_dead_letters
  where jsonb_typeof(payload->'eventId') = 'string' and char_length(payload->>'eventId') between 1 and 200
)
update usage_dead_letters d set event_id = d.payload->>'eventId' from firsts f where f.id = d.id and f.n = 1;

create unique index usage_dead_letters_event_idx on usage_dead_letters (event_id, md5(payload::text)) where event_id is not null;
