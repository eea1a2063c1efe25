-- A proxy row belongs to the region whose token polled with it: keyed on (region, id), so a region
-- token can add rows under its own region only and never move or rewrite another region's proxy
-- (a stale eu proxy stays visible under eu even when a us token polls with its id).
alter table proxies drop constraint proxies_pkey;
alter table proxies add primary key (region, id);
