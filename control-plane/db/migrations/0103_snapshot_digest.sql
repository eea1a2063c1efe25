-- The SHA-256 (hex) of each stored snapshot's JWS (shared/snapshot/snapshot-digest.ts), read with its
-- version by the snapshot route without the JWS (megabytes on a large config): a proxy reporting the
-- latest version with another digest holds content signed under that number before a database restore,
-- and the control plane republishes past it (control-plane/snapshots/republish-past-version.ts).
alter table snapshots add column digest text;
update snapshots set digest = encode(sha256(convert_to(jws, 'UTF8')), 'hex');
alter table snapshots alter column digest set not null;
