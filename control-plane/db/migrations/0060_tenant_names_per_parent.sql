-- Tenant names are unique among siblings (roots among roots), no longer across the whole install:
-- with one global namespace, createTenant's CONFLICT told a tenant admin which names existed outside
-- its subtree. Existing data already satisfies the narrower rule.
alter table tenants drop constraint if exists tenants_name_key;
create unique index tenants_name_per_parent on tenants (coalesce(parent_id, ''), name);
