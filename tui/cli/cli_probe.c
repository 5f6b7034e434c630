/*
 * cli_probe - `relaydeck probe tls|auth` and `relaydeck pin`.
 *
 * probe runs core/probe against HOST[:PORT] with the CA and fingerprint
 * digest the target's Postfix uses (unless given), and for auth the
 * credential from the target's smtp_sasl_password_maps (or --user with
 * --password-file FILE|-). The password is read from a 0600 file or
 * stdin, never argv, and wiped after the probe.
 *
 * probe send runs core/probe_send on the target (the managed host's
 * sendmail and mail log, locally or over SSH) and prints its result.
 *
 * pin turns a probe into a per-destination smtp_tls_policy_maps entry
 * and the main.cf settings it needs, in one change set (core/pin).
 */
#include "config.h"
#include "cli_probe.h"
#include "cli_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "changeset.h"
#include "health_probe.h"
#include "json.h"
#include "lines.h"
#include "maincf.h"
#include "pin.h"
#include "postfix.h"
#include "probe.h"
#include "probe_send.h"
#include "report.h"
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
	int insecure_auth;		/* auth: send over an untrusted certificate too */
	int from_here;			/* connect from this machine, not from the target */
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
		if (strcmp(argv[i], "--from-here") == 0) {
			a->from_here = 1;
			continue;
		}
		if (!pin && strcmp(argv[i], "--insecure-auth") == 0) {
			a->insecure_auth = 1;
			continue;
		}
		if (missing) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%s needs a value", argv[i]);
			return cli_usage_error(c, msg);
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			char msg[300];

			/* the name only: "--pass=..." may be a mistyped secret */
			snprintf(msg, sizeof(msg), "unknown option %.*s",
				 (int)strcspn(argv[i], "="), argv[i]);
			return cli_usage_error(c, msg);
		}
		if (target != NULL)
			return cli_usage_error(c, "give one HOST[:PORT]");
		target = argv[i];
	}
	if (target == NULL) {
		/* No HOST: the relay's own smart host, as Postfix reads relayhost
		 * (so `-g GROUP probe auth` probes each relay's). */
		struct buf rh = BUF_INIT;
		char hop[1024];
		int r;

		if (postfix_expand(c->t, "relayhost", &rh, &c->e) < 0) {
			buf_free(&rh);
			return cli_fail(c);
		}
		health_probe_first_hop(rh.data, hop, sizeof(hop));
		buf_free(&rh);
		if (hop[0] == '\0')
			return cli_usage_error(c, "missing HOST[:PORT] (relayhost is not set)");
		r = probe_parse_hostport(hop, PROBE_PORT_DEFAULT, a->host, sizeof(a->host),
					 a->port, sizeof(a->port), &a->bracketed, &c->e);
		if (r < 0)
			return cli_fail(c);
	} else if (probe_parse_hostport(target, PROBE_PORT_DEFAULT, a->host, sizeof(a->host),
					a->port, sizeof(a->port), &a->bracketed, &c->e) < 0) {
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

/* print_human - core/report's lines, the same the console's Probe screen
 * shows (already escaped for the terminal there). */
static void print_human(const struct probe_result *r)
{
	struct lines l = LINES_INIT;

	report_probe(&l, r, "--insecure-auth sends it anyway");
	for (size_t i = 0; i < l.n; i++)
		printf("%s\n", l.v[i].text);
	lines_free(&l);
}

/* run_probe - fill opts from the args and the target, run, wipe the password.
 * AUTH trusts what the target's Postfix trusts: a verified chain and name,
 * or the fingerprint pinned for [host]:port (in the target's digest). */
static int run_probe(struct cli_ctx *c, const struct probe_args *a, int auth,
		     const char *digest, struct probe_result *r)
{
	struct probe_opts o;
	struct buf user = BUF_INIT, pw = BUF_INIT;
	char *ca_file = NULL, *ca_path = NULL, policy[2048], hd[16];
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
	/* From the relay's own network position (a direct-tcpip channel over
	 * SSH), and the CA files are the relay's, read through the target. */
	o.target = c->t;
	o.from_here = a->from_here;
	if (o.ca_file == NULL && o.ca_path == NULL) {
		struct err e;

		/* The CA the target's Postfix trusts; the system store when none is set. */
		if (probe_ca_defaults(c->t, &ca_file, &ca_path, &e) == 0) {
			o.ca_file = ca_file;
			o.ca_path = ca_path;
		}
	}
	if (auth) {
		struct err pe;

		o.auth = 1;
		o.insecure_auth = a->insecure_auth;
		pin_host_digest(c->t, hd, sizeof(hd));
		if (strcmp(hd, digest) == 0 &&
		    probe_policy_lookup(c->t, a->host, a->port, policy, sizeof(policy), &pe) == 1)
			o.tls_policy = policy;
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

static int cmd_send(struct cli_ctx *c, int argc, char **argv);

int cli_cmd_probe(struct cli_ctx *c, int argc, char **argv)
{
	struct probe_result r;
	struct probe_args a;
	char digest[16];
	int auth, rc;

	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return cmd_send(c, argc, argv);
	if (argc < 2 || (strcmp(argv[1], "tls") != 0 && strcmp(argv[1], "auth") != 0))
		return cli_usage_error(c, "usage: probe tls|auth [HOST[:PORT]] "
				       "[--tls starttls|implicit] "
				       "[--ca-file FILE] [--ca-path DIR] [--servername NAME] "
				       "[--digest sha256|sha1|md5] [--timeout MS] "
				       "[--user USER --password-file FILE|-] [--insecure-auth] "
				       "[--from-here]");
	auth = strcmp(argv[1], "auth") == 0;
	if ((rc = parse_args(c, argc, argv, 2, 0, &a)) != 0)
		return rc;
	if (!auth && a.user)
		return cli_usage_error(c, "--user belongs to probe auth");
	if (!auth && a.insecure_auth)
		return cli_usage_error(c, "--insecure-auth belongs to probe auth");
	if (a.digest)
		snprintf(digest, sizeof(digest), "%s", a.digest);
	else
		pin_host_digest(c->t, digest, sizeof(digest));
	rc = run_probe(c, &a, auth, digest, &r);
	if (rc < 0)
		return cli_fail(c);
	/* Against what Postfix will demand: a pinned fingerprint, secure, verify. */
	{
		struct err pe;
		char hd[16];

		pin_host_digest(c->t, hd, sizeof(hd));
		if (strcmp(hd, digest) == 0 && probe_check_pin(c->t, &r, hd, &pe) < 0)
			fprintf(stderr, "relaydeck: warning: cannot read the TLS policy: %s\n",
				pe.msg);
		/* A pinned fingerprint makes a chain that does not verify ok. */
		rc = r.ok ? 0 : 1;
	}
	/* The health check and the Dashboard say what the last probe found. */
	{
		struct health_probe hp;
		struct err se;

		err_clear(&se);
		health_probe_from(&r, (long long)time(NULL), &hp);
		if (health_probe_save(c->t, &hp, auth, &se) < 0)
			fprintf(stderr, "relaydeck: warning: the probe is not kept for the health "
				"check: %s\n", se.msg);
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

int cli_cmd_pin(struct cli_ctx *c, int argc, char **argv)
{
	struct probe_result r;
	struct probe_args a;
	struct pin_req q;
	struct buf notes = BUF_INIT;
	struct changeset *cs = NULL;
	char digest[16], desc[400];
	int rc, status = EXIT_FAILED;

	if ((rc = parse_args(c, argc, argv, 1, 1, &a)) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	if (a.mode)
		pin_mode_parse(a.mode, &q.mode);
	pin_host_digest(c->t, digest, sizeof(digest));
	if (a.digest)
		snprintf(digest, sizeof(digest), "%s", a.digest);
	rc = run_probe(c, &a, 0, digest, &r);
	if (rc < 0)
		return cli_fail(c);
	if (!r.tls.done && !c->o->json)
		print_human(&r);
	q.servername = a.servername;
	q.digest = digest;
	q.policy_file = a.policy_file;
	if ((cs = changeset_new(c->t)) == NULL) {
		err_set(&c->e, ERR_NOMEM, "out of memory");
		status = cli_fail(c);
		goto out;
	}
	rc = pin_stage(cs, c->t, c->m, c->maincf_path, &r, &q, &notes, desc, sizeof(desc), &c->e);
	if (notes.len)
		fputs(notes.data, stderr);
	if (rc < 0) {
		status = cli_fail(c);
		goto out;
	}
	if ((q.mode == PIN_SECURE || q.mode == PIN_VERIFY) && (a.ca_file || a.ca_path))
		fprintf(stderr, "note: Postfix verifies with its own smtp_tls_CAfile/"
			"smtp_tls_CApath, not with %s\n", a.ca_file ? a.ca_file : a.ca_path);
	status = cli_apply_changeset(c, cs, desc);
out:
	changeset_free(cs);
	probe_result_free(&r);
	buf_free(&notes);
	return status;
}

/* send_submitted - the progress line once sendmail took the message. */
static void send_submitted(void *arg, const char *mid, const char *log, int left_ms)
{
	(void)arg;
	fprintf(stderr, "submitted <%s>; following %s (up to %d s more)\n", mid, log,
		(left_ms + 999) / 1000);
}

/* cmd_send - the options, then core/probe_send on the target. */
static int cmd_send(struct cli_ctx *c, int argc, char **argv)
{
	struct probe_send_opts o;
	struct probe_send_result r;
	int rc;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = PROBE_SEND_TIMEOUT_DEFAULT_MS;
	for (int i = 2; i < argc; i++) {
		int missing = 0;
		const char *val;

		if ((val = opt_value(argc, argv, &i, "--to", &missing)) != NULL) {
			o.to = val;
		} else if ((val = opt_value(argc, argv, &i, "--from", &missing)) != NULL) {
			o.from = val;
		} else if ((val = opt_value(argc, argv, &i, "--timeout", &missing)) != NULL) {
			if (valid_uint(val, &c->e) < 0 || atol(val) < 1 || atol(val) > 86400)
				return cli_usage_error(c, "--timeout takes seconds (1 to 86400)");
			o.timeout_ms = (int)atol(val) * 1000;
		} else {
			return cli_usage_error(c, missing ? "probe send: option needs a value" :
					       "usage: probe send --to ADDR [--from ADDR] "
					       "[--timeout SECONDS]");
		}
	}
	if (o.to == NULL)
		return cli_usage_error(c, "probe send: --to ADDR missing");
	if (probe_send_check_addr(o.to, 1) < 0 ||
	    (o.from && probe_send_check_addr(o.from, 0) < 0))
		return cli_usage_error(c, "probe send: addresses take the form user@domain");
	if (!c->o->json) {
		o.on_submitted = send_submitted;
	}
	rc = probe_send_run(c->t, &o, &r, &c->e);
	if (rc < 0)
		return cli_fail(c);
	if (c->o->json) {
		struct buf out = BUF_INIT;

		probe_send_json(&r, &out);
		printf("%s\n", out.data);
		buf_free(&out);
	} else {
		struct lines l = LINES_INIT;

		report_probe_send(&l, &r);
		for (size_t i = 0; i < l.n; i++)
			printf("%s\n", l.v[i].text);
		lines_free(&l);
	}
	return rc == 0 ? EXIT_OK : EXIT_FAILED;
}
