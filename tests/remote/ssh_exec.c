/*
 * ssh_exec - a test driver for remote/ssh_target: one target operation on
 * a real SSH host, so the shell tests can check on the remote side what
 * arrived (argv, stdin, files, locks).
 *
 *   ssh_exec -H SPEC [-F SSH_CONFIG] [--known-hosts F] [-i KEY] [--sudo] [-c DIR] OP ARGS...
 *   (with -F, SPEC goes through ssh_config as -H does in relaydeck)
 *   OP: run [--timeout MS] [--stdin FILE] -- ARGV...   stdout/stderr raw, exit = remote exit
 *       stream [--timeout MS] -- ARGV...   stdout as it arrives, each piece
 *                            written and flushed at once; "[exit N]\n" at the end
 *       each [--timeout MS] [--pause MS] -- ARGV1... ::: ARGV2... ::: ...
 *                            each command in turn on the one connection
 *                            (--pause: wait MS between them):
 *                            its stdout raw, then "[exit N]\n" (124 timed
 *                            out, 125 killed by a signal); stderr raw
 *       read PATH            file bytes on stdout
 *       write PATH MODE      stdin becomes PATH, atomically
 *       stat PATH            "exists dir mode uid gid size"
 *       list DIR             one name per line
 *       mkdir DIR MODE / unlink PATH
 *       lock PATH WAIT_MS HOLD_MS    take the lock, print "locked", hold it
 * Errors: "ssh_exec: CODE: message" on stderr, exit 100 + the err code.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sshhost.h"
#include "ssh_target.h"

static int fail(const struct err *e)
{
	char line[1200];

	fprintf(stderr, "ssh_exec: %s: %s\n", err_code_name(e->code), err_format(e, line, sizeof(line)));
	return 100 + (int)e->code;
}

static int write_now(void *arg, const char *data, size_t len)
{
	(void)arg;
	fwrite(data, 1, len, stdout);
	fflush(stdout);
	return 0;
}

static int slurp(FILE *fp, struct buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(b, chunk, n) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct ssh_target_opts so;
	const char *kh[1], *ids[4], *spec = NULL, *cfg = NULL;
	struct sshhost sh;
	char *user = NULL, *host = NULL;
	struct target *t;
	struct err e;
	int i, nid = 0, rc = 0;

	memset(&so, 0, sizeof(so));
	err_clear(&e);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-H") == 0 && i + 1 < argc)
			spec = argv[++i];
		else if (strcmp(argv[i], "--known-hosts") == 0 && i + 1 < argc) {
			kh[0] = argv[++i];
			so.ssh.known_hosts = kh;
			so.ssh.n_known_hosts = 1;
		} else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc && nid < 4)
			ids[nid++] = argv[++i];
		else if (strcmp(argv[i], "-F") == 0 && i + 1 < argc)
			cfg = argv[++i];
		else if (strcmp(argv[i], "--sudo") == 0)
			so.sudo = 1;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			so.config_dir = argv[++i];
		else
			break;
	}
	if (spec == NULL || i >= argc) {
		fprintf(stderr, "usage: ssh_exec -H SPEC [options] OP ARGS...\n");
		return 2;
	}
	if (nid) {
		so.ssh.identities = ids;
		so.ssh.n_identities = (size_t)nid;
	}
	if (so.config_dir == NULL)
		so.config_dir = "/";
	so.state_dir = "/nonexistent";
	if (cfg) {
		struct sshhost_in in = { 0 };

		in.spec = spec;
		in.ssh_config = cfg;
		in.identities = so.ssh.identities;
		in.n_identities = so.ssh.n_identities;
		in.known_hosts = so.ssh.n_known_hosts ? kh[0] : NULL;
		if (sshhost_resolve(&in, &sh, &e) < 0)
			return fail(&e);
		so.ssh = *sshhost_opts(&sh);
		t = ssh_target_new(&so, &e);
		sshhost_free(&sh);
	} else {
		if (ssh_spec_parse(spec, &user, &host, &so.ssh.port, &e) < 0)
			return fail(&e);
		so.ssh.host = host;
		so.ssh.user = user;
		t = ssh_target_new(&so, &e);
	}
	free(user);
	free(host);
	if (t == NULL)
		return fail(&e);
	const char *op = argv[i++];

	if (strcmp(op, "run") == 0) {
		struct buf in = BUF_INIT;
		struct run_out o;
		int timeout = 0;

		for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
			if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
				timeout = atoi(argv[++i]);
			else if (strcmp(argv[i], "--stdin") == 0 && i + 1 < argc) {
				FILE *fp = fopen(argv[++i], "rb");

				if (fp == NULL || slurp(fp, &in) < 0)
					return 2;
				fclose(fp);
			}
		}
		run_out_init(&o);
		if (target_run(t, (const char *const *)argv + i + 1, in.len ? &in : NULL, &o, timeout,
			       &e) < 0) {
			rc = fail(&e);
		} else {
			fwrite(o.out.data, 1, o.out.len, stdout);
			fwrite(o.err.data, 1, o.err.len, stderr);
			rc = o.timed_out ? 124 : o.exit_code < 0 ? 125 : o.exit_code;
		}
		run_out_free(&o);
		buf_free(&in);
	} else if (strcmp(op, "stream") == 0) {
		struct run_out o;
		int timeout = 0;

		for (; i < argc && strcmp(argv[i], "--") != 0; i++)
			if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
				timeout = atoi(argv[++i]);
		run_out_init(&o);
		if (target_run_stream(t, (const char *const *)argv + i + 1, NULL, write_now, NULL, &o,
				      timeout, &e) < 0)
			rc = fail(&e);
		else
			printf("[exit %d]\n", o.timed_out ? 124 : o.exit_code < 0 ? 125 : o.exit_code);
		run_out_free(&o);
	} else if (strcmp(op, "each") == 0) {
		int timeout = 0, pause_ms = 0;

		for (; i < argc && strcmp(argv[i], "--") != 0; i++)
			if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
				timeout = atoi(argv[++i]);
			else if (strcmp(argv[i], "--pause") == 0 && i + 1 < argc)
				pause_ms = atoi(argv[++i]);	/* between commands */
		for (int a = i + 1; a < argc && rc == 0; ) {
			struct run_out o;
			int b = a;

			if (a > i + 1 && pause_ms > 0) {
				struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };

				nanosleep(&ts, NULL);
			}

			while (b < argc && strcmp(argv[b], ":::") != 0)
				b++;
			argv[b < argc ? b : argc] = NULL;
			run_out_init(&o);
			if (target_run(t, (const char *const *)argv + a, NULL, &o, timeout, &e) < 0) {
				rc = fail(&e);
			} else {
				fwrite(o.out.data, 1, o.out.len, stdout);
				fwrite(o.err.data, 1, o.err.len, stderr);
				printf("[exit %d]\n", o.timed_out ? 124 : o.exit_code < 0 ? 125 :
				       o.exit_code);
				fflush(stdout);
				fflush(stderr);
			}
			run_out_free(&o);
			a = b + 1;
		}
	} else if (strcmp(op, "read") == 0 && i < argc) {
		struct buf b = BUF_INIT;

		if (target_read(t, argv[i], &b, &e) < 0)
			rc = fail(&e);
		else
			fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	} else if (strcmp(op, "write") == 0 && i + 1 < argc) {
		struct buf b = BUF_INIT;

		slurp(stdin, &b);
		if (target_write(t, argv[i], b.data ? b.data : "", b.len,
				 (mode_t)strtol(argv[i + 1], NULL, 8), &e) < 0)
			rc = fail(&e);
		buf_free(&b);
	} else if (strcmp(op, "stat") == 0 && i < argc) {
		struct target_stat st;

		if (target_stat(t, argv[i], &st, &e) < 0)
			rc = fail(&e);
		else
			printf("%d %d %o %ld %ld %lld\n", st.exists, st.is_dir, (unsigned)st.mode,
			       (long)st.uid, (long)st.gid, st.size);
	} else if (strcmp(op, "list") == 0 && i < argc) {
		char **names;
		size_t n;

		if (t->ops->list_dir(t, argv[i], &names, &n, &e) < 0) {
			rc = fail(&e);
		} else {
			for (size_t k = 0; k < n; k++)
				printf("%s\n", names[k]);
			target_names_free(names, n);
		}
	} else if (strcmp(op, "mkdir") == 0 && i + 1 < argc) {
		if (t->ops->mkdir_p(t, argv[i], (mode_t)strtol(argv[i + 1], NULL, 8), &e) < 0)
			rc = fail(&e);
	} else if (strcmp(op, "unlink") == 0 && i < argc) {
		if (t->ops->unlink(t, argv[i], &e) < 0)
			rc = fail(&e);
	} else if (strcmp(op, "lock") == 0 && i + 2 < argc) {
		void *h;

		if (t->ops->lock(t, argv[i], atoi(argv[i + 1]), &h, &e) < 0) {
			rc = fail(&e);
		} else {
			long ms = atol(argv[i + 2]);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			printf("locked\n");
			fflush(stdout);
			nanosleep(&ts, NULL);
			t->ops->unlock(t, h);
		}
	} else {
		fprintf(stderr, "ssh_exec: unknown operation %s\n", op);
		rc = 2;
	}
	target_free(t);
	return rc;
}
