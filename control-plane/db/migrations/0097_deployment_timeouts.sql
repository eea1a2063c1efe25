-- A deployment's own vendor timeouts (published as the snapshot's deployment `timeouts`); null = the
-- proxy's default (VENDOR_FIRST_BYTE_TIMEOUT_MS, VENDOR_TOTAL_TIMEOUT_MS, no connect timeout). Bounds and firstByte <= total are
-- checked by the control plane (deployments/deployment-timeouts.ts); the table only refuses non-positive values.
alter table deployments add column connect_timeout_ms integer check (connect_timeout_ms > 0);
alter table deployments add column first_byte_timeout_ms integer check (first_byte_timeout_ms > 0);
alter table deployments add column total_timeout_ms integer check (total_timeout_ms > 0);
