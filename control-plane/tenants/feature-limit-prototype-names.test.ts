/**
 * Feature ids are the caller's (X-Feature-Id), and `toString` or `constructor` are as good as any: the
 * narrowing rules hold them like every other feature. Before, what a tenant inherits was folded into a
 * plain object, so a limit on `toString` found Object.prototype.toString there, was never recorded,
 * and a move that dropped it was let through unreviewed.
 */
import { beforeAll, expect, test } from "bun:test";
import { addTenant } from "../testing/add-tenant.ts";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

const policy = async (id: string, tenantPolicy: Record<string, unknown>) => {
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "policy", operations: [{ op: "tenant.policy", id, tenantPolicy }] },
  });
  return (await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id })).approveChange.status;
};
const move = (id: string, parentId: string | null) => t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id, p: parentId });

for (const feature of ["toString", "valueOf", "hasOwnProperty", "constructor"]) {
  test(`a limit on feature ${feature} is held by the narrowing rules: a child cannot widen it, a move cannot drop it`, async () => {
    const org = await addTenant(t.admin, `org-${feature}`);
    const open = await addTenant(t.admin, `open-${feature}`);
    const team = await addTenant(t.admin, `team-${feature}`, org);
    expect(await policy(org, { featureLimits: [{ feature, rpm: 10 }] })).toBe("applied");
    const widen = await ann.client
      .request(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
        i: { description: "widen", operations: [{ op: "tenant.policy", id: team, tenantPolicy: { featureLimits: [{ feature, rpm: 20 }] } }] },
      })
      .catch((e: { code?: string; message: string }) => e);
    expect(widen).toMatchObject({ code: "BAD_USER_INPUT" });
    expect((widen as { message: string }).message).toContain(`featureLimits.${feature}.rpm: 20 widens 10`);
    const refused = await move(team, open).catch((e: { code?: string; message: string }) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN" });
    expect((refused as { message: string }).message).toContain(`featureLimits.${feature}.rpm 10 → unlimited`);
    // Pinned on the team itself, the move drops nothing.
    expect(await policy(team, { featureLimits: [{ feature, rpm: 10 }] })).toBe("applied");
    await move(team, open);
  });
}
