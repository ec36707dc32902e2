import { type Kysely, sql } from "kysely";

/**
 * Two-level approval, chosen per unit: a plan of a unit with two levels is first endorsed by its
 * own coordinator (the unit head), then approved by a coordinator above it. The state between
 * is "endorsed", and the trail takes an "endorsed" step.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE units ADD COLUMN approval_levels smallint NOT NULL DEFAULT 1 CHECK (approval_levels IN (1, 2));
    ALTER TABLE engagements DROP CONSTRAINT engagements_approval_check;
    ALTER TABLE engagements ADD CONSTRAINT engagements_approval_check
      CHECK (approval IN ('draft', 'submitted', 'endorsed', 'approved', 'returned', 'reported'));
    ALTER TABLE engagement_approval_steps DROP CONSTRAINT engagement_approval_steps_step_check;
    ALTER TABLE engagement_approval_steps ADD CONSTRAINT engagement_approval_steps_step_check
      CHECK (step IN ('created', 'submitted', 'endorsed', 'approved', 'returned', 'done', 'reported', 'cancelled'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE engagements SET approval = 'submitted' WHERE approval = 'endorsed';
    DELETE FROM engagement_approval_steps WHERE step = 'endorsed';
    ALTER TABLE engagement_approval_steps DROP CONSTRAINT engagement_approval_steps_step_check;
    ALTER TABLE engagement_approval_steps ADD CONSTRAINT engagement_approval_steps_step_check
      CHECK (step IN ('created', 'submitted', 'approved', 'returned', 'done', 'reported', 'cancelled'));
    ALTER TABLE engagements DROP CONSTRAINT engagements_approval_check;
    ALTER TABLE engagements ADD CONSTRAINT engagements_approval_check
      CHECK (approval IN ('draft', 'submitted', 'approved', 'returned', 'reported'));
    ALTER TABLE units DROP COLUMN approval_levels;
  `.execute(db);
}
