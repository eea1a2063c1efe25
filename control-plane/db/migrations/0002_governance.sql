-- Governance: principals and roles, issued tokens, the tenant tree and its policy, key lifecycle,
-- deployment residency, change requests with approvals, the policy state of every config version,
-- and audit rows that carry the client address and a break-glass flag.

create table principals (
  id          text primary key,
  name        text not null unique,
  kind        text not null check (kind in ('person', 'service')),
  status      text not null default 'active' check (status in ('active', 'disabled')),
  created_at  timestamptz not null default now()
);

create table role_bindings (
  principal_id  text not null references principals(id),
  role          text not null check (role in ('admin', 'approver', 'finance', 'viewer', 'tenant_admin')),
  -- Only tenant_admin is bound to a subtree; the global roles carry ''.
  tenant_id     text not null default '',
  created_at    timestamptz not null default now(),
  primary key (principal_id, role, tenant_id),
  check ((role = 'tenant_admin') = (tenant_id <> ''))
);

create table issued_tokens (
  jti           text primary key,
  principal_id  text not null references principals(id),
  issued_at     timestamptz not null default now(),
  expires_at    timestamptz not null,
  revoked_at    timestamptz
);

alter table tenants add column kind text not null default 'organization'
  check (kind in ('organization', 'team', 'project'));
alter table tenants add column parent_id text references tenants(id);
alter table tenants add column rpm bigint check (rpm >= 0);
alter table tenants add column tpm bigint check (tpm >= 0);
alter table tenants add column daily_budget_micros bigint check (daily_budget_micros >= 0);
alter table tenants add column monthly_budget_micros bigint check (monthly_budget_micros >= 0);
alter table tenants add column allowed_aliases text[];
alter table tenants add column allowed_jurisdictions text[];
alter table tenants add column time_zone text;
alter table tenants add column key_ttl_days integer check (key_ttl_days > 0);
create index tenants_parent_idx on tenants (parent_id);

alter table gateway_keys add column last_used_at timestamptz;
alter table gateway_keys add column allowed_regions text[];
alter table gateway_keys add column rotated_to text;
create index gateway_keys_tenant_id_idx on gateway_keys (tenant_id, id);

alter table deployments add column jurisdiction text;
alter table deployments add column flags text[] not null default '{}';
alter table deployments add column status text not null default 'active' check (status in ('active', 'disabled'));

create table change_requests (
  id              text primary key,
  author          text not null,
  status          text not null check (status in ('pending', 'approved', 'scheduled', 'applied', 'rejected', 'withdrawn', 'stale')),
  description     text not null,
  kind            text not null default 'change' check (kind in ('change', 'rollback')),
  -- The entity writes to apply: [{entity, id, value | null}].
  writes          jsonb not null,
  -- What each target looked like when proposed: [{entity, id, value | null}]; compared again before applying.
  bases           jsonb not null,
  diff            jsonb not null,
  -- Tenants this request touches (for tenant-admin visibility); empty for global policy.
  tenant_ids      text[] not null default '{}',
  base_version    integer not null,
  apply_at        timestamptz,
  applied_version integer,
  created_at      timestamptz not null default now(),
  decided_at      timestamptz,
  decided_by      text,
  reason          text
);
create index change_requests_status_idx on change_requests (status, id);

create table change_approvals (
  change_id    text not null references change_requests(id),
  approver     text not null,
  at           timestamptz not null default now(),
  primary key (change_id, approver)
);

-- The full routing-policy state at every config version, so any version can be rolled back to.
create table config_states (
  version  integer primary key,
  state    jsonb not null
);

alter table audit_log add column client_address text;
alter table audit_log add column break_glass boolean not null default false;
create index audit_log_actor_idx on audit_log (actor, id);
create index audit_log_target_idx on audit_log (target, id);
