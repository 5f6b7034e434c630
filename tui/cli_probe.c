/*
 * cli_probe - `relaydeck probe tls|auth` and `relaydeck pin`.
 *
 * probe runs core/probe against HOST[:PORT] with the CA and fingerprint
 * digest the target's Postfix uses (unless given), and for auth the
 * credential from the target's smtp_sasl_password_maps (or --user with
 * --password-file FILE|-). The password is read from a 0600 file or
 * stdin, never argv, and wiped after the probe.
 *
 * probe send submits a test message with the managed instance's sendmail
 * (argv only, message on stdin) and follows it through the instance's log
 * (core/logscan) to status=sent|deferred|bounced or the deadline.
 *
 * pin turns a probe into a per-destination smtp_tls_policy_maps entry
 * and the main.cf settings it needs, in one change set (core/pin).
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
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "changeset.h"
#include "json.h"
#include "logscan.h"
#include "maincf.h"
#include "pin.h"
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

/* send_message - the test message: unique Message-ID and Subject, on stdin only. */
static void send_message(struct buf *msg, const char *mid, const char *from, const char *to)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	buf_printf(msg, "Message-ID: <%s>\nDate: %s\n", mid, date);
	if (from)
		buf_printf(msg, "From: <%s>\n", from);
	buf_printf(msg, "To: <%s>\nSubject: relaydeck test message %s\n"
		   "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
		   "Test message submitted by relaydeck probe send.\n", to, mid);
}

/* print_send - the trace as text or JSON. */
static void print_send(struct cli_ctx *c, const struct logscan_trace *t, const char *log,
		       int timed_out, int auth_enabled)
{
	const char *st = t->status ? logscan_status_name(t->status) : "unknown";
	const char *sasl = t->sasl_failed ? "failed" : !auth_enabled ? "off (smtp_sasl_auth_enable)" :
			   t->status == LS_SENT ? "no failure logged (the client logs only failures)" :
			   "unknown";
	char parts[4][16] = { "", "", "", "" };

	sscanf(t->delays, "%15[^/]/%15[^/]/%15[^/]/%15s", parts[0], parts[1], parts[2], parts[3]);
	if (c->o->json) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_kv_str(&j, "message_id", t->message_id);
		json_kv_str(&j, "queue_id", t->queue_id);
		json_kv_str(&j, "status", timed_out ? "timeout" : st);
		json_kv_str(&j, "to", t->to);
		json_kv_str(&j, "relay", t->relay);
		json_kv_str(&j, "delay", t->delay);
		json_key(&j, "delays");
		json_obj_begin(&j);
		json_kv_str(&j, "before_qmgr", parts[0]);
		json_kv_str(&j, "in_qmgr", parts[1]);
		json_kv_str(&j, "connection", parts[2]);
		json_kv_str(&j, "transmission", parts[3]);
		json_obj_end(&j);
		json_kv_str(&j, "dsn", t->dsn);
		json_kv_str(&j, "reason", t->reason);
		json_kv_str(&j, "tls", t->tls);
		json_kv_str(&j, "sasl", sasl);
		json_kv_str(&j, "log", log);
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
		return;
	}
	printf("message-id: <%s>\n", t->message_id);
	printf("queue id:   %s\n", t->queue_id[0] ? t->queue_id : "(not seen in the log)");
	printf("status:     %s%s\n", timed_out ? "no final status before the deadline; last: " :
	       "", t->status ? st : "none");
	if (t->to[0])
		printf("to:         %s\n", t->to);
	if (t->relay[0])
		printf("relay:      %s\n", t->relay);
	if (t->delays[0])
		printf("delays:     %s s total: %s before the queue manager, %s in the queue "
		       "manager, %s connection setup, %s transmission\n", t->delay, parts[0],
		       parts[1], parts[2], parts[3]);
	if (t->dsn[0])
		printf("dsn:        %s\n", t->dsn);
	if (t->reason[0])
		printf("reply:      %s\n", t->reason);
	printf("TLS:        %s\n", t->tls[0] ? t->tls : "no TLS line logged for this delivery");
	printf("SASL:       %s\n", sasl);
	printf("log:        %s\n", log);
}

/* cmd_send - sendmail -C CONFIG_DIR, then follow the queue ID through the log. */
static int cmd_send(struct cli_ctx *c, int argc, char **argv)
{
	const char *to = NULL, *from = NULL;
	long timeout_s = 60;
	struct buf v = BUF_INIT, sm = BUF_INIT, msg = BUF_INIT, lines = BUF_INIT;
	struct logscan_file lf;
	struct logscan_trace tr;
	struct run_out ro;
	char mid[200], log[1024];
	unsigned char rnd[8];
	int status = EXIT_FAILED, done = 0, timed_out = 0, auth_enabled;
	struct timespec start, now;

	for (int i = 2; i < argc; i++) {
		int missing = 0;
		const char *val;

		if ((val = opt_value(argc, argv, &i, "--to", &missing)) != NULL) {
			to = val;
		} else if ((val = opt_value(argc, argv, &i, "--from", &missing)) != NULL) {
			from = val;
		} else if ((val = opt_value(argc, argv, &i, "--timeout", &missing)) != NULL) {
			if (valid_uint(val, &c->e) < 0 || atol(val) < 1 || atol(val) > 86400)
				return cli_usage_error(c, "--timeout takes seconds (1 to 86400)");
			timeout_s = atol(val);
		} else {
			return cli_usage_error(c, missing ? "probe send: option needs a value" :
					       "usage: probe send --to ADDR [--from ADDR] "
					       "[--timeout SECONDS]");
		}
	}
	if (to == NULL)
		return cli_usage_error(c, "probe send: --to ADDR missing");
	if (strpbrk(to, " \t\r\n<>") || to[0] == '-' || strchr(to, '@') == NULL ||
	    (from && (strpbrk(from, " \t\r\n<>") || from[0] == '-')))
		return cli_usage_error(c, "probe send: addresses take the form user@domain");
	/* The managed instance's log: maillog_file (postlogd), else syslog's file. */
	if (postfix_expand(c->t, "maillog_file", &v, &c->e) < 0)
		return cli_fail(c);
	snprintf(log, sizeof(log), "%s", v.len ? v.data : "/var/log/mail.log");
	buf_reset(&v);
	if (postfix_expand(c->t, "smtp_sasl_auth_enable", &v, &c->e) < 0)
		return cli_fail(c);
	auth_enabled = v.len && strcmp(v.data, "yes") == 0;
	buf_free(&v);
	if (postfix_expand(c->t, "sendmail_path", &sm, &c->e) < 0)
		return cli_fail(c);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		buf_free(&sm);
		err_set(&c->e, ERR_SYS, "no random bytes for the Message-ID");
		return cli_fail(c);
	}
	snprintf(mid, sizeof(mid), "relaydeck-probe.%lld.%02x%02x%02x%02x%02x%02x%02x%02x"
		 "@relaydeck.invalid", (long long)time(NULL), rnd[0], rnd[1], rnd[2], rnd[3],
		 rnd[4], rnd[5], rnd[6], rnd[7]);
	logscan_trace_init(&tr, mid);
	if (logscan_file_open(&lf, log, 0, &c->e) < 0) {
		buf_free(&sm);
		logscan_file_close(&lf);
		return cli_fail(c);
	}
	send_message(&msg, mid, from, to);
	{
		const char *args[10];
		int n = 0;

		args[n++] = sm.len ? sm.data : "/usr/sbin/sendmail";
		args[n++] = "-C";
		args[n++] = c->t->config_dir;
		if (from) {
			args[n++] = "-f";
			args[n++] = from;
		}
		args[n++] = "--";
		args[n++] = to;
		args[n] = NULL;
		run_out_init(&ro);
		if (target_run_ok(c->t, args, &msg, &ro, 30000, &c->e) < 0) {
			status = cli_fail(c);
			run_out_free(&ro);
			goto out;
		}
		run_out_free(&ro);
	}
	if (!c->o->json)
		fprintf(stderr, "submitted <%s>; following %s (up to %ld s)\n", mid, log,
			timeout_s);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!done) {
		struct logscan_line ll;

		buf_reset(&lines);
		if (logscan_file_read(&lf, &lines, &c->e) < 0) {
			status = cli_fail(c);
			goto out;
		}
		for (char *l = lines.data; l && *l && !done;) {
			char *nl = strchr(l, '\n');
			size_t len = nl ? (size_t)(nl - l) : strlen(l);

			if (logscan_parse_line(l, len, &ll) == 0)
				done = logscan_trace_feed(&tr, &ll);
			l = nl ? nl + 1 : l + len;
		}
		if (done)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= timeout_s) {
			timed_out = 1;
			break;
		}
		/* postlogd appends as it goes: poll the file ten times a second. */
		usleep(100000);
	}
	print_send(c, &tr, log, timed_out, auth_enabled);
	status = !timed_out && tr.status == LS_SENT ? EXIT_OK : EXIT_FAILED;
out:
	logscan_file_close(&lf);
	buf_free(&sm);
	buf_free(&msg);
	buf_free(&lines);
	return status;
}
