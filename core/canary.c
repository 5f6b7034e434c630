/*
 * canary - the probe after a canary's apply (see canary.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "canary.h"
#include "changeset.h"
#include "health_probe.h"
#include "maincf.h"
#include "postfix.h"
#include "target.h"

/* probe - 0 passed, 1 not (res->why said why). */
static int probe(struct target *t, struct canary_result *res)
{
	struct health_probe *rec = calloc(1, sizeof(*rec));
	struct maincf *m = NULL;
	char *relay = NULL;
	const char *sasl;
	struct err e;
	int rc = 1;

	err_clear(&e);
	if (rec == NULL) {
		snprintf(res->why, sizeof(res->why), "probe: out of memory");
		goto out;
	}
	if ((m = postfix_read_maincf(t, &e)) == NULL) {
		snprintf(res->why, sizeof(res->why), "probe: %.500s", e.msg);
		goto out;
	}
	sasl = maincf_get(m, "smtp_sasl_auth_enable");
	if ((relay = postfix_relayhost(t, m)) == NULL) {
		snprintf(res->why, sizeof(res->why), "probe: out of memory");
		goto out;
	}
	if (relay[strspn(relay, ", \t")] == '\0') {
		snprintf(res->said, sizeof(res->said), "canary: postfix check passed; "
			 "no relayhost, so no probe");
		rc = 0;
		goto out;
	}
	switch (health_probe_run(t, relay, sasl && strcasecmp(sasl, "yes") == 0, rec, &e)) {
	case 0:
		snprintf(res->said, sizeof(res->said), "canary: postfix check and the probe "
			 "of %.180s passed", relay);
		rc = 0;
		break;
	case 1:
		if (rec->failed_step[0])
			snprintf(res->why, sizeof(res->why), "probe of %.180s: %.40s failed: %.300s",
				 relay, rec->failed_step, rec->failed_detail);
		else
			snprintf(res->why, sizeof(res->why), "probe of %.180s: %s", relay,
				 !rec->trusted ? "certificate not trusted" : "AUTH not accepted");
		break;
	default:
		snprintf(res->why, sizeof(res->why), "probe of %.180s: %.400s", relay, e.msg);
		break;
	}
out:
	free(relay);
	maincf_free(m);
	free(rec);
	return rc;
}

int canary_check(struct target *t, const char *backup_id, struct canary_result *res)
{
	struct apply_report r;
	struct err e;
	size_t len;

	memset(res, 0, sizeof(*res));
	if (probe(t, res) == 0)
		return 0;
	if (backup_id == NULL || backup_id[0] == '\0')
		return 1;
	apply_report_init(&r);
	err_clear(&e);
	if (changeset_rollback(t, backup_id, &r, &e) == 0) {
		res->restored = 1;
	} else {
		len = strlen(res->why);
		snprintf(res->why + len, sizeof(res->why) - len, "; the rollback failed too: %.200s",
			 e.msg);
	}
	apply_report_free(&r);
	return 1;
}
