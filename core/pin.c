/*
 * pin - a probe result into a TLS policy entry and main.cf, staged in a
 * change set. See pin.h.
 */
#include "config.h"
#include "pin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changeset.h"
#include "maincf.h"
#include "postfix.h"
#include "probe.h"
#include "target.h"
#include "valid.h"

static const char *const mode_names[] = { "fingerprint", "fingerprint", "pubkey", "secure",
					  "verify" };

/* pin_mode_parse - a mode name into its value. */
int pin_mode_parse(const char *s, enum pin_mode *out)
{
	for (int i = PIN_FINGERPRINT; i <= PIN_VERIFY; i++)
		if (s && strcmp(s, mode_names[i]) == 0) {
			*out = (enum pin_mode)i;
			return 0;
		}
	return -1;
}

/* pin_mode_name - the name of a mode. */
const char *pin_mode_name(enum pin_mode m)
{
	return m <= PIN_VERIFY ? mode_names[m] : "?";
}

/* pin_modes_allowed - secure/verify only where Postfix would not defer. */
unsigned pin_modes_allowed(const struct probe_result *r)
{
	unsigned m = 0;

	if (!r->tls.done || r->tls.nchain == 0)
		return 0;
	m = PIN_MASK(PIN_FINGERPRINT) | PIN_MASK(PIN_PUBKEY);
	if (r->tls.verified && r->tls.hostname_match)
		m |= PIN_MASK(PIN_SECURE) | PIN_MASK(PIN_VERIFY);
	return m;
}

/* pin_host_digest - lower case, as the probe names digests. */
void pin_host_digest(struct target *t, char *out, size_t outlen)
{
	struct buf v = BUF_INIT;
	struct err e;

	if (postfix_expand(t, "smtp_tls_fingerprint_digest", &v, &e) == 0 && v.len)
		snprintf(out, outlen, "%s", v.data);
	else
		snprintf(out, outlen, "sha256");
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	buf_free(&v);
}

/* policy_location - where the policy table lives and its type: given, else
 * the one file table smtp_tls_policy_maps names, else <config>/tls_policy
 * with default_database_type. *current is the setting's value ("" if unset). */
static int policy_location(struct target *t, const struct maincf *m, const char *given,
			   char **path, char *type, size_t typelen, const char **current,
			   struct err *e)
{
	const char *cur = maincf_get(m, "smtp_tls_policy_maps");
	struct buf v = BUF_INIT;
	char **items = NULL;
	size_t n = 0;

	*current = cur ? cur : "";
	*path = NULL;
	if (cur && valid_list_split(cur, &items, &n, e) == 0 && n == 1) {
		const char *colon = strchr(items[0], ':');

		if (colon && colon[1] == '/' && (size_t)(colon - items[0]) < typelen &&
		    (given == NULL || strcmp(given, colon + 1) == 0)) {
			snprintf(type, typelen, "%.*s", (int)(colon - items[0]), items[0]);
			*path = strdup(colon + 1);
		}
	}
	valid_list_free(items);
	if (*path)
		return 0;
	if (postfix_expand(t, "default_database_type", &v, e) < 0)
		return -1;
	snprintf(type, typelen, "%s", v.len ? v.data : "hash");
	buf_free(&v);
	*path = given ? strdup(given) : target_config_path(t, "tls_policy");
	if (*path == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((*path)[0] != '/')
		return err_set(e, ERR_INVALID, "policy file %s: needs an absolute path", *path);
	return 0;
}

/* other_fingerprints - does the policy text pin fingerprints for a key other than key? */
static int other_fingerprints(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		int ours = strncmp(l, key, klen) == 0 && (l[klen] == ' ' || l[klen] == '\t');

		if (!ours && l[0] != '#' && l[0] != ' ' && l[0] != '\t' &&
		    memmem(l, ll, "fingerprint", 11) != NULL)
			return 1;
		l = nl ? nl + 1 : l + ll;
	}
	return 0;
}

/* check_mode - refuse what Postfix would defer, or what was not asked for. */
static int check_mode(const struct probe_result *r, enum pin_mode mode, const char *key,
		      struct err *e)
{
	if (!r->tls.done || r->tls.nchain == 0)
		return err_set(e, ERR_INVALID, "pin %s: no TLS certificate to pin (the probe "
			       "failed before the handshake)", key);
	if (mode == PIN_DEFAULT && !r->tls.verified)
		return err_set(e, ERR_INVALID, "pin %s: the certificate chain did not verify (%s); "
			       "choose mode fingerprint or pubkey to pin it anyway", key,
			       r->tls.verify_error);
	if ((mode == PIN_SECURE || mode == PIN_VERIFY) &&
	    (!r->tls.verified || !r->tls.hostname_match))
		return err_set(e, ERR_INVALID, "pin %s mode %s: refused, %s; Postfix would defer "
			       "the mail", key, pin_mode_name(mode), !r->tls.verified ?
			       r->tls.verify_error : "the certificate does not match the host name");
	return 0;
}

/* entry_value - the policy value and the notes that explain it. */
static void entry_value(const struct probe_result *r, enum pin_mode mode, const char *digest,
			const char *name, const char *key, char *value, size_t vlen,
			struct buf *notes)
{
	int pub = mode == PIN_PUBKEY, fp_mode = mode == PIN_DEFAULT || mode == PIN_FINGERPRINT;
	const char *fp = strcmp(digest, "sha256") == 0 ?
			 (pub ? r->tls.pubkey_sha256 : r->tls.cert_sha256) :
			 (pub ? r->tls.pubkey_fp : r->tls.cert_fp);

	if (fp_mode || pub)
		snprintf(value, vlen, "fingerprint match=%s", fp);
	else if (mode == PIN_SECURE)
		snprintf(value, vlen, "secure match=%s", name);
	else
		snprintf(value, vlen, "verify");
	buf_printf(notes, "pinning %s: %s\n", key, value);
	if (pub)
		buf_printf(notes, "  (%s digest of the server's public key: survives a renewal "
			   "that keeps the key)\n", digest);
	else if (fp_mode)
		buf_printf(notes, "  (%s digest of this exact certificate%s)\n", digest,
			   r->tls.verified ? "" : "; the chain did NOT verify: you trust it "
			   "because you say so");
	if (fp_mode)
		buf_printf(notes, "warning: a pinned certificate breaks mail to %s when the "
			   "provider rotates it; for public providers prefer pubkey pinning, or "
			   "secure (CA-verified, match=%s)\n", key, name);
	else if (pub)
		buf_printf(notes, "warning: a pinned public key breaks mail to %s when the "
			   "provider changes its key; for public providers secure (CA-verified, "
			   "match=%s) needs no update\n", key, name);
}

/* pin_stage - see pin.h. */
int pin_stage(struct changeset *cs, struct target *t, struct maincf *m, const char *maincf_path,
	      const struct probe_result *r, const struct pin_req *q, struct buf *notes,
	      char *desc, size_t desclen, struct err *e)
{
	struct buf old = BUF_INIT, table = BUF_INIT, mc = BUF_INIT;
	char hdigest[16], key[300], value[400], type[32], ref[600];
	const char *digest = q->digest ? q->digest : "sha256";
	const char *name = q->servername ? q->servername : r->host;
	const char *current;
	char *path = NULL;
	int rc = -1;

	snprintf(key, sizeof(key), "[%s]:%s", r->host, r->port);
	if (check_mode(r, q->mode, key, e) < 0)
		return -1;
	pin_host_digest(t, hdigest, sizeof(hdigest));
	entry_value(r, q->mode, digest, name, key, value, sizeof(value), notes);
	if (policy_location(t, m, q->policy_file, &path, type, sizeof(type), &current, e) < 0)
		goto out;
	if (target_read(t, path, &old, e) < 0) {
		if (!(e->code == ERR_NOTFOUND || (e->code == ERR_SYS && e->sys_errno == ENOENT)))
			goto out;
		err_clear(e);
		buf_reset(&old);
	}
	if (strcmp(digest, hdigest) != 0 && other_fingerprints(old.data ? old.data : "", key)) {
		err_set(e, ERR_INVALID, "pin %s digest %s: %s already holds fingerprints in %s "
			"(smtp_tls_fingerprint_digest); changing the digest would break them",
			key, digest, path, hdigest);
		goto out;
	}
	if (probe_policy_edit(old.data ? old.data : "", old.len, key, value, &table, e) < 0 ||
	    changeset_stage_map(cs, path, table.data, table.len, 0644,
				strcmp(type, "texthash") == 0 ? 0 : CS_POSTMAP, type, e) < 0)
		goto out;
	snprintf(ref, sizeof(ref), "%s:%s", type, path);
	if (strstr(current, ref) == NULL) {
		char val[2048];

		snprintf(val, sizeof(val), "%s%s%s", ref, current[0] ? ", " : "", current);
		if (maincf_set(m, "smtp_tls_policy_maps", val, e) < 0)
			goto out;
	}
	if (strcmp(digest, hdigest) != 0 &&
	    maincf_set(m, "smtp_tls_fingerprint_digest", digest, e) < 0)
		goto out;
	if (maincf_serialize(m, &mc) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (changeset_stage(cs, maincf_path, mc.data, mc.len, 0644, 0, e) < 0)
		goto out;
	if (desc)
		snprintf(desc, desclen, "pin %s %s", key, pin_mode_name(q->mode));
	rc = 0;
out:
	buf_free(&old);
	buf_free(&table);
	buf_free(&mc);
	free(path);
	return rc;
}
