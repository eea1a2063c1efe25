-- A region's public endpoint, published in every snapshot's regionDirectory so a proxy that refuses a
-- tenant for residency can say where that tenant's requests belong. Null until an admin sets it.
alter table regions add column public_url text null;
