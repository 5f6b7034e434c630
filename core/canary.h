/*
 * canary - the check a fleet change makes on its canary once the apply
 * there succeeded (its own checks: postfix check, postconf, reload): the
 * relay's own probe of its smart host must pass too - TLS that verifies,
 * and AUTH accepted when SASL is on - or the backup the apply took is put
 * back, so a change that breaks mail on the first relay reaches no other.
 * A relay without a relayhost (mail goes out by MX) has nothing to probe:
 * postfix check has decided. `apply --canary` and the console's fleet
 * change both call it.
 */
#ifndef RELAYDECK_CANARY_H
#define RELAYDECK_CANARY_H

struct target;

struct canary_result {
	int restored;		/* the backup was put back */
	char said[256];		/* passed: what was checked */
	char why[600];		/* failed: why, and whether the rollback failed too */
};

/* canary_check - 0 passed (said), 1 failed (why; restored says whether
 * backup_id went back). An empty backup_id: nothing to put back. */
int canary_check(struct target *t, const char *backup_id, struct canary_result *res);

#endif
