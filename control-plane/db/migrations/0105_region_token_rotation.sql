-- rotateRegionToken: a region's new token replaces token_hash, and the one it replaced stays valid until
-- previous_token_expires_at (the grace, so running proxies can be redeployed without an outage). A
-- region token is the only credential for snapshot reads, usage ingest and budget leases; before this a
-- leaked one could never be replaced. Both columns are set together or not at all.
alter table regions
  add column previous_token_hash        text unique,
  add column previous_token_expires_at  timestamptz,
  add constraint regions_previous_token_whole check ((previous_token_hash is null) = (previous_token_expires_at is null));
