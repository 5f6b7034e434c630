/*
 * cli_probe - `relaydeck probe tls|auth` and `relaydeck pin`.
 *
 * probe runs core/probe against HOST[:PORT] with the CA and fingerprint
 * digest the target's Postfix uses (unless given), and for auth the
 * credential from the target's smtp_sasl_password_maps (or --user with
 * --password-file FILE|-). The password is read from a 0600 file or
 * stdin, never argv, and wiped after the probe.
 *
 * pin turns a probe into a per-destination smtp_tls_policy_maps entry
 * and the main.cf settings it needs, in one change set.
 */
#include "config.h"
#include "cli_probe.h"
#include "cli_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "changeset.h"
#include "maincf.h"
#include "postfix.h"
#include "probe.h"
#include "target.h"
#include "valid.h"

struct probe_args {
	char host[256];
	char port[16];
	int bracketed;
	enum probe_tls_mode tls_mode;
	const char *ca_file, *ca_path, *servername, *digest;
	int timeout_ms;
	const char *user, *password_file;
	const char *mode;		/* pin */
	const char *policy_file;	/* pin */
};

/* opt_value - the value of --name VALUE or --name=VALUE at argv[*i], or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* parse_args - options shared by probe and pin; pin allows --mode/--policy-file. */
static int parse_args(struct cli_ctx *c, int argc, char **argv, int first, int pin,
		      struct probe_args *a)
{
	const char *target = NULL;

	memset(a, 0, sizeof(*a));
	for (int i = first; i < argc; i++) {
		int missing = 0;
		const char *v;

#define OPT(name, field) \
		if ((v = opt_value(argc, argv, &i, name, &missing)) != NULL) { \
			a->field = v; \
			continue; \
		}
		OPT("--ca-file", ca_file);
		OPT("--ca-path", ca_path);
		OPT("--servername", servername);
		OPT("--digest", digest);
		OPT("--user", user);
		OPT("--password-file", password_file);
		if (pin) {
			OPT("--mode", mode);
			OPT("--policy-file", policy_file);
		}
#undef OPT
		if ((v = opt_value(argc, argv, &i, "--tls", &missing)) != NULL) {
			if (strcmp(v, "starttls") == 0)
				a->tls_mode = PROBE_TLS_STARTTLS;
			else if (strcmp(v, "implicit") == 0)
				a->tls_mode = PROBE_TLS_IMPLICIT;
			else
				return cli_usage_error(c, "--tls takes starttls or implicit");
			continue;
		}
		if ((v = opt_value(argc, argv, &i, "--timeout", &missing)) != NULL) {
			if (valid_uint(v, &c->e) < 0 || atoi(v) < 1)
				return cli_usage_error(c, "--timeout takes milliseconds "
						       "(a positive number)");
			a->timeout_ms = atoi(v);
			continue;
		}
		if (missing) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%s needs a value", argv[i]);
			return cli_usage_error(c, msg);
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			char msg[300];

			snprintf(msg, sizeof(msg), "unknown option %.200s", argv[i]);
			return cli_usage_error(c, msg);
		}
		if (target != NULL)
			return cli_usage_error(c, "give one HOST[:PORT]");
		target = argv[i];
	}
	if (target == NULL)
		return cli_usage_error(c, "missing HOST[:PORT]");
	if (probe_parse_hostport(target, PROBE_PORT_DEFAULT, a->host, sizeof(a->host), a->port,
				 sizeof(a->port), &a->bracketed, &c->e) < 0) {
		c->e.code = ERR_USAGE;
		return cli_fail(c);
	}
	if (a->digest && strcmp(a->digest, "sha256") != 0 && strcmp(a->digest, "sha1") != 0 &&
	    strcmp(a->digest, "md5") != 0)
		return cli_usage_error(c, "--digest takes sha256, sha1 or md5");
	if (a->password_file && a->user == NULL)
		return cli_usage_error(c, "--password-file needs --user");
	if (a->user && a->password_file == NULL)
		return cli_usage_error(c, "--user needs --password-file FILE or - (stdin)");
	if (a->mode && strcmp(a->mode, "fingerprint") != 0 && strcmp(a->mode, "pubkey") != 0 &&
	    strcmp(a->mode, "secure") != 0 && strcmp(a->mode, "verify") != 0)
		return cli_usage_error(c, "--mode takes fingerprint, pubkey, secure or verify");
	return 0;
}

/* read_password - the first line of FILE (0600 or stricter) or stdin into pw. */
static int read_password(struct cli_ctx *c, const char *file, struct buf *pw)
{
	char chunk[512];
	FILE *f;
	size_t n;

	if (strcmp(file, "-") == 0) {
		f = stdin;
	} else {
		struct stat st;

		if ((f = fopen(file, "r")) == NULL)
			return err_sys(&c->e, "password file %s", file);
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
			fclose(f);
			return err_set(&c->e, ERR_INVALID, "password file %s: readable by "
				       "others (mode %04o); chmod 600 it", file,
				       (unsigned)(st.st_mode & 07777));
		}
	}
	buf_init(pw, 4096);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf_append(pw, chunk, n) == 0)
		;
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (f != stdin)
		fclose(f);
	if (n > 0)
		return err_set(&c->e, ERR_LIMIT, "password longer than 4096 bytes");
	pw->len = strcspn(pw->data ? pw->data : "", "\r\n");
	if (pw->data)
		pw->data[pw->len] = '\0';
	if (pw->len == 0)
		return err_set(&c->e, ERR_INVALID, "empty password from %s",
			       strcmp(file, "-") == 0 ? "stdin" : file);
	return 0;
}

/* host_digest - the target's smtp_tls_fingerprint_digest ("sha256" when unknown). */
static void host_digest(struct cli_ctx *c, char *out, size_t outlen)
{
	struct buf v = BUF_INIT;
	struct err e;

	if (postfix_expand(c->t, "smtp_tls_fingerprint_digest", &v, &e) == 0 && v.len)
		snprintf(out, outlen, "%s", v.data);
	else
		snprintf(out, outlen, "sha256");
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	buf_free(&v);
}

/* print_human - steps, certificate, fingerprints, verdict. */
static void print_human(const struct probe_result *r)
{
	const struct probe_tls *t = &r->tls;
	size_t failed = 0;

	for (size_t i = 0; i < r->nsteps; i++) {
		const struct probe_step *s = &r->steps[i];

		printf("%-4s %ld ms  %s%s%s\n", s->ok ? "ok" : "FAIL", s->ms, s->name,
		       s->ok ? " " : ": ", s->detail);
		failed += !s->ok;
	}
	if (t->done) {
		printf("\nTLS: %s %s\n", t->protocol, t->cipher);
		for (size_t i = 0; i < t->nchain; i++) {
			const struct probe_cert *pc = &t->chain[i];

			printf("certificate %zu: %s\n", i, pc->subject);
			printf("  issuer:    %s\n", pc->issuer);
			if (pc->nsans) {
				printf("  names:    ");
				for (size_t k = 0; k < pc->nsans; k++)
					printf(" %s", pc->sans[k]);
				printf("\n");
			}
			printf("  valid:     %s to %s (%ld days %s)\n", pc->not_before,
			       pc->not_after, pc->days_left < 0 ? -pc->days_left : pc->days_left,
			       pc->days_left < 0 ? "ago: EXPIRED" : "left");
			printf("  key:       %s %d bits, signed %s\n", pc->key_type, pc->key_bits,
			       pc->signature);
		}
		printf("verified:    %s\n", t->verified ? "yes" : t->verify_error);
		printf("host name:   %s\n", t->hostname_match ? "matches" : "does NOT match");
		printf("fingerprint (sha256) cert:   %s\n", t->cert_sha256);
		printf("fingerprint (sha256) pubkey: %s\n", t->pubkey_sha256);
		if (t->digest[0]) {
			printf("fingerprint (%s) cert:   %s\n", t->digest, t->cert_fp);
			printf("fingerprint (%s) pubkey: %s\n", t->digest, t->pubkey_fp);
		}
	}
	if (r->auth.mechanisms[0] || r->auth.xoauth2)
		printf("AUTH offered: %s%s\n", r->auth.mechanisms,
		       r->auth.xoauth2 ? " (XOAUTH2 needs OAuth tokens; Postfix uses PLAIN/LOGIN)" :
		       "");
	if (r->auth.tried && !r->auth.ok && r->auth.reply[0])
		printf("AUTH reply:  %s%s%s\n", r->auth.reply,
		       r->auth.hint[0] ? "\n  likely: " : "", r->auth.hint);
	if (failed == 0) {
		printf("verdict: ok, every step passed\n");
	} else {
		printf("verdict: FAIL,");
		for (size_t i = 0; i < r->nsteps; i++)
			if (!r->steps[i].ok)
				printf(" %s", r->steps[i].name);
		printf("\n");
	}
}

/* run_probe - fill opts from the args and the target, run, wipe the password. */
static int run_probe(struct cli_ctx *c, const struct probe_args *a, int auth,
		     const char *digest, struct probe_result *r)
{
	struct probe_opts o;
	struct buf user = BUF_INIT, pw = BUF_INIT;
	char *ca_file = NULL, *ca_path = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.host = a->host;
	o.port = a->port;
	o.tls_mode = a->tls_mode;
	o.servername = a->servername;
	o.timeout_ms = a->timeout_ms;
	o.digest = digest && strcmp(digest, "sha256") != 0 ? digest : NULL;
	o.ca_file = a->ca_file;
	o.ca_path = a->ca_path;
	if (o.ca_file == NULL && o.ca_path == NULL) {
		struct err e;

		/* The CA the target's Postfix trusts; the system store when none is set. */
		if (probe_ca_defaults(c->t, &ca_file, &ca_path, &e) == 0) {
			o.ca_file = ca_file;
			o.ca_path = ca_path;
		}
	}
	if (auth) {
		o.auth = 1;
		if (a->user) {
			if (read_password(c, a->password_file, &pw) < 0) {
				buf_wipe_free(&pw);
				free(ca_file);
				free(ca_path);
				return -1;
			}
			o.user = a->user;
		} else {
			if (probe_cred_lookup(c->t, a->host, a->port, &user, &pw, &c->e) < 0) {
				buf_wipe_free(&pw);
				buf_free(&user);
				free(ca_file);
				free(ca_path);
				return -1;
			}
			o.user = user.data ? user.data : "";
		}
		o.password = pw.data ? pw.data : "";
	}
	rc = probe_run(&o, r, &c->e);
	buf_wipe_free(&pw);
	buf_free(&user);
	free(ca_file);
	free(ca_path);
	return rc;
}

int cli_cmd_probe(struct cli_ctx *c, int argc, char **argv)
{
	struct probe_result r;
	struct probe_args a;
	char digest[16];
	int auth, rc;

	if (argc < 2 || (strcmp(argv[1], "tls") != 0 && strcmp(argv[1], "auth") != 0))
		return cli_usage_error(c, "usage: probe tls|auth HOST[:PORT] "
				       "[--tls starttls|implicit] "
				       "[--ca-file FILE] [--ca-path DIR] [--servername NAME] "
				       "[--digest sha256|sha1|md5] [--timeout MS] "
				       "[--user USER --password-file FILE|-]");
	auth = strcmp(argv[1], "auth") == 0;
	if ((rc = parse_args(c, argc, argv, 2, 0, &a)) != 0)
		return rc;
	if (!auth && a.user)
		return cli_usage_error(c, "--user belongs to probe auth");
	if (a.digest)
		snprintf(digest, sizeof(digest), "%s", a.digest);
	else
		host_digest(c, digest, sizeof(digest));
	rc = run_probe(c, &a, auth, digest, &r);
	if (rc < 0)
		return cli_fail(c);
	/* Against what Postfix will demand: a pinned fingerprint, secure, verify. */
	{
		struct err pe;
		char hd[16];

		host_digest(c, hd, sizeof(hd));
		if (strcmp(hd, digest) == 0 && probe_check_pin(c->t, &r, hd, &pe) < 0)
			fprintf(stderr, "relaydeck: warning: cannot read the TLS policy: %s\n",
				pe.msg);
		if (!r.ok)
			rc = 1;
	}
	if (c->o->json) {
		struct buf out = BUF_INIT;

		probe_json(&r, &out);
		printf("%s\n", out.data);
		buf_free(&out);
	} else {
		print_human(&r);
	}
	probe_result_free(&r);
	return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

/* policy_location - where the policy table lives and its type: --policy-file,
 * else the one file table smtp_tls_policy_maps names, else <config>/tls_policy
 * with default_database_type. *current is the setting's value ("" if unset). */
static int policy_location(struct cli_ctx *c, const char *given, char **path, char *type,
			   size_t typelen, const char **current)
{
	const char *cur = maincf_get(c->m, "smtp_tls_policy_maps");
	struct buf v = BUF_INIT;
	char **items = NULL;
	size_t n = 0;

	*current = cur ? cur : "";
	*path = NULL;
	if (cur && valid_list_split(cur, &items, &n, &c->e) == 0 && n == 1) {
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
	if (postfix_expand(c->t, "default_database_type", &v, &c->e) < 0)
		return -1;
	snprintf(type, typelen, "%s", v.len ? v.data : "hash");
	buf_free(&v);
	*path = given ? strdup(given) : target_config_path(c->t, "tls_policy");
	if (*path == NULL)
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	if ((*path)[0] != '/')
		return err_set(&c->e, ERR_INVALID, "--policy-file %s: needs an absolute path",
			       *path);
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

int cli_cmd_pin(struct cli_ctx *c, int argc, char **argv)
{
	struct probe_result r;
	struct probe_args a;
	struct buf old = BUF_INIT, table = BUF_INIT, mc = BUF_INIT;
	struct changeset *cs = NULL;
	char digest[16], hdigest[16], key[300], value[400], type[32], ref[600], desc[400];
	const char *mode, *current, *name;
	char *path = NULL;
	int rc, status = EXIT_FAILED;

	if ((rc = parse_args(c, argc, argv, 1, 1, &a)) != 0)
		return rc;
	host_digest(c, hdigest, sizeof(hdigest));
	snprintf(digest, sizeof(digest), "%s", a.digest ? a.digest : hdigest);
	rc = run_probe(c, &a, 0, digest, &r);
	if (rc < 0)
		return cli_fail(c);
	if (!r.tls.done || r.tls.nchain == 0) {
		if (!c->o->json)
			print_human(&r);
		err_set(&c->e, ERR_INVALID, "pin %s: no TLS certificate to pin (the probe failed "
			"before the handshake)", a.host);
		status = cli_fail(c);
		goto out;
	}
	name = a.servername ? a.servername : a.host;
	mode = a.mode ? a.mode : "fingerprint";
	if (!r.tls.verified && a.mode == NULL) {
		err_set(&c->e, ERR_INVALID, "pin %s: the certificate chain did not verify (%s); "
			"pass --mode fingerprint or --mode pubkey to pin it anyway", a.host,
			r.tls.verify_error);
		status = cli_fail(c);
		goto out;
	}
	if ((strcmp(mode, "secure") == 0 || strcmp(mode, "verify") == 0) &&
	    (!r.tls.verified || !r.tls.hostname_match)) {
		err_set(&c->e, ERR_INVALID, "pin %s --mode %s: refused, %s; Postfix would defer "
			"the mail", a.host, mode, !r.tls.verified ? r.tls.verify_error :
			"the certificate does not match the host name");
		status = cli_fail(c);
		goto out;
	}
	snprintf(key, sizeof(key), "[%s]:%s", a.host, a.port);
	{
		int pub = strcmp(mode, "pubkey") == 0;
		const char *fp = strcmp(digest, "sha256") == 0 ?
				 (pub ? r.tls.pubkey_sha256 : r.tls.cert_sha256) :
				 (pub ? r.tls.pubkey_fp : r.tls.cert_fp);

		if (strcmp(mode, "fingerprint") == 0 || pub)
			snprintf(value, sizeof(value), "fingerprint match=%s", fp);
		else if (strcmp(mode, "secure") == 0)
			snprintf(value, sizeof(value), "secure match=%s", name);
		else
			snprintf(value, sizeof(value), "verify");
		fprintf(stderr, "pinning %s: %s\n", key, value);
		if (pub)
			fprintf(stderr, "  (%s digest of the server's public key: survives a "
				"renewal that keeps the key)\n", digest);
		else if (strcmp(mode, "fingerprint") == 0)
			fprintf(stderr, "  (%s digest of this exact certificate%s)\n", digest,
				r.tls.verified ? "" : "; the chain did NOT verify: you trust it "
				"because you say so");
	}
	if (strcmp(mode, "fingerprint") == 0)
		fprintf(stderr, "warning: a pinned certificate breaks mail to %s when the provider "
			"rotates it; for public providers prefer --mode pubkey, or --mode secure "
			"(CA-verified, match=%s)\n", key, name);
	else if (strcmp(mode, "pubkey") == 0)
		fprintf(stderr, "warning: a pinned public key breaks mail to %s when the provider "
			"changes its key; for public providers --mode secure (CA-verified, "
			"match=%s) needs no update\n", key, name);
	else if (a.ca_file || a.ca_path)
		fprintf(stderr, "note: Postfix verifies with its own smtp_tls_CAfile/"
			"smtp_tls_CApath, not with %s\n", a.ca_file ? a.ca_file : a.ca_path);

	if (policy_location(c, a.policy_file, &path, type, sizeof(type), &current) < 0) {
		status = cli_fail(c);
		goto out;
	}
	if (target_read(c->t, path, &old, &c->e) < 0) {
		if (!(c->e.code == ERR_NOTFOUND ||
		      (c->e.code == ERR_SYS && c->e.sys_errno == ENOENT))) {
			status = cli_fail(c);
			goto out;
		}
		buf_reset(&old);
	}
	if (strcmp(digest, hdigest) != 0 && other_fingerprints(old.data ? old.data : "", key)) {
		err_set(&c->e, ERR_INVALID, "pin %s --digest %s: %s already holds fingerprints in "
			"%s (smtp_tls_fingerprint_digest); changing the digest would break them",
			key, digest, path, hdigest);
		status = cli_fail(c);
		goto out;
	}
	if (probe_policy_edit(old.data ? old.data : "", old.len, key, value, &table, &c->e) < 0 ||
	    (cs = changeset_new(c->t)) == NULL) {
		if (cs == NULL && c->e.code == ERR_OK)
			err_set(&c->e, ERR_NOMEM, "out of memory");
		status = cli_fail(c);
		goto out;
	}
	if (changeset_stage_map(cs, path, table.data, table.len, 0644,
				strcmp(type, "texthash") == 0 ? 0 : CS_POSTMAP, type, &c->e) < 0) {
		status = cli_fail(c);
		goto out;
	}
	snprintf(ref, sizeof(ref), "%s:%s", type, path);
	if (strstr(current, ref) == NULL) {
		char val[2048];

		snprintf(val, sizeof(val), "%s%s%s", ref, current[0] ? ", " : "", current);
		if (maincf_set(c->m, "smtp_tls_policy_maps", val, &c->e) < 0) {
			status = cli_fail(c);
			goto out;
		}
	}
	if (strcmp(digest, hdigest) != 0 &&
	    maincf_set(c->m, "smtp_tls_fingerprint_digest", digest, &c->e) < 0) {
		status = cli_fail(c);
		goto out;
	}
	if (maincf_serialize(c->m, &mc) < 0 ||
	    changeset_stage(cs, c->maincf_path, mc.data, mc.len, 0644, 0, &c->e) < 0) {
		if (c->e.code == ERR_OK)
			err_set(&c->e, ERR_NOMEM, "out of memory");
		status = cli_fail(c);
		goto out;
	}
	snprintf(desc, sizeof(desc), "pin %s %s", key, mode);
	status = cli_apply_changeset(c, cs, desc);
out:
	changeset_free(cs);
	probe_result_free(&r);
	buf_free(&old);
	buf_free(&table);
	buf_free(&mc);
	free(path);
	return status;
}
