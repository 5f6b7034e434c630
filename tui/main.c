/*
 * main - parse the command line; a subcommand runs the scriptable front
 * end (cli.c), no subcommand opens the console (console.c).
 */
#include "config.h"

#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fleet.h"
#include "cli_prompt.h"
#include "fleet.h"
#include "inventory.h"
#include "console.h"
#include "secret.h"
#include "target.h"
#include "termout.h"

static void usage(FILE *fp)
{
	fputs("usage: relaydeck [-H [USER@]HOST[:PORT]|NAME [--sudo] [--known-hosts F] [-i KEY]\n"
	      "                 [-F SSH_CONFIG] [--inventory FILE]]\n"
	      "                 [-c DIR] [--state-dir DIR] [--trust-config-dir] [--json]\n"
	      "                 [--theme NAME] [COMMAND [ARGS]]\n"
	      "\n"
	      "Without a command, opens the console.\n"
	      "\n"
	      "commands:\n"
	      "  show [NAME...]        explicitly set parameters, as `postconf -n` prints them;\n"
	      "                        with names: the effective value of each (default when unset)\n"
	      "  params                the relay settings catalog: group, name, type, value, default\n"
	      "  set NAME=VALUE...     validate and stage edits (kept until applied or discarded)\n"
	      "  unset NAME...         stage removal of parameters\n"
	      "  discard               forget staged edits\n"
	      "  diff                  unified diff of staged edits against the current files\n"
	      "  apply [--rebase] [--yes]  apply staged edits: backup, write, postfix check, reload;\n"
	      "                        --rebase: on main.cf as someone else changed it since;\n"
	      "      with -g: [--canary HOST] [--batch N] [--continue-on-error]: HOST first (its\n"
	      "      probe of the smart host must pass, or it is rolled back and nothing else\n"
	      "      changes), then N hosts at a time, stopping after a batch with a failure\n"
	      "  history               backups taken before each change, newest first\n"
	      "  rollback [ID] [--yes] restore a backup (the newest without ID)\n"
	      "  probe tls|auth [HOST[:PORT]] [--tls starttls|implicit] [--ca-file F] [--ca-path D]\n"
	      "      [--servername N] [--digest sha256|sha1|md5] [--timeout MS]\n"
	      "      [--user U --password-file F|-] [--insecure-auth]\n"
	      "                        test a smart host (default: relayhost): TLS, certificate,\n"
	      "                        fingerprints, AUTH\n"
	      "                        (the password goes only over a trusted certificate\n"
	      "                        unless --insecure-auth)\n"
	      "  probe send --to ADDR [--from ADDR] [--timeout SECONDS]\n"
	      "                        send a test message through this Postfix and follow it\n"
	      "                        in its log: status, relay, delays, dsn, TLS, SASL\n"
	      "  pin HOST[:PORT] [--mode fingerprint|pubkey|secure|verify] [--policy-file P]\n"
	      "                        probe, then pin the result in smtp_tls_policy_maps\n"
	      "  providers             the smart-host catalog: hosts, ports, TLS, limits\n"
	      "  setup --provider ID [--host H] [--region R] [--port P] [--tls starttls|implicit]\n"
	      "      [--user U] [--password-file F|-] [--ca-file F] [--rewrite FROM=TO]...\n"
	      "      [--remove-old-credential] [--yes]\n"
	      "                        point Postfix at a provider: main.cf, sasl_passwd,\n"
	      "                        generic map in one change set (password from a file or stdin)\n"
	      "  creds list            sasl_passwd entries (user and a mask, never the secret)\n"
	      "  creds add KEY --user U [--password-file F|-]\n"
	      "  creds rotate KEY [--password-file F|-] [--no-test] [--insecure-auth]\n"
	      "  creds remove KEY      KEY: [host]:port or a sender address; the new password is\n"
	      "                        tested with AUTH against [host]:port before rotate applies\n"
	      "  creds audit [--fix]   credential files or tables others can read; --fix: 0600 root\n"
	      "  map list              every lookup table main.cf names: entries, compiled, mode\n"
	      "  map show|query PARAM|TYPE:PATH [KEY] [--no-fold]\n"
	      "  map add|remove PARAM|TYPE:PATH KEY [VALUE]\n"
	      "  map import PARAM|TYPE:PATH FILE\n"
	      "                        edit a map (regexp/pcre: KEY is /pattern/flags); query with\n"
	      "                        the host's own postmap -q\n"
	      "  map try ADDRESS       how generic, canonical, sender-relay and transport maps\n"
	      "                        rewrite and route an address (postmap -q on the host)\n"
	      "  queue list|shape|reasons [--queue Q] [--domain D] [--sender S] [--reason TEXT]\n"
	      "      [--older-than AGE] [--younger-than AGE] [--sort KEY] [--by sender] [--input F]\n"
	      "                        the mail queue (postqueue -j, streamed), qshape's age x\n"
	      "                        domain table, recipients grouped by delay reason\n"
	      "  queue show ID [--body]  one message (postcat), control characters escaped\n"
	      "  queue hold|release|requeue|delete|flush [ID...|-|FILTERS|--all] [--site D]\n"
	      "                        postsuper with the IDs on stdin, postqueue -i/-f/-s\n"
	      "  health [--json|--nagios] [--warn-queue N] [--crit-queue N] [--warn-age AGE]\n"
	      "      [--crit-age AGE] [--warn-cert-days N] [--crit-cert-days N] [--warn-quota PCT]\n"
	      "      [--crit-quota PCT] [--warn-rise N] [--window AGE]\n"
	      "                        is this relay well: Postfix, config, relayhost, TLS and\n"
	      "                        AUTH (last probe), queue, failures and quota in the log;\n"
	      "                        exit 0 ok, 1 warning, 2 critical, 3 unknown\n"
	      "  logs summary [--file PATH]... [--since T] [--until T] [--top N]\n"
	      "                        the mail log summed up: received, delivered, deferred,\n"
	      "                        bounced, rejected, expired; per relay, domain, sender;\n"
	      "                        SASL and TLS failures; reasons; delay percentiles;\n"
	      "                        deliveries per hour and in the last 24 h (T: @EPOCH,\n"
	      "                        YYYY-MM-DD[ HH:MM[:SS]], or an age: 30m, 24h, 7d)\n"
	      "  logs trace QUEUE-ID|MESSAGE-ID [--file PATH]...\n"
	      "                        every line of one message, its retries and its bounce\n"
	      "                        notice, across rotated files\n"
	      "  logs follow [--status S] [--relay R] [--sender S] [--rcpt R] [--text T]\n"
	      "      [--file PATH] [--from-start]\n"
	      "                        new lines as they are written, coloured by status;\n"
	      "                        survives rotation\n"
	      "  hosts                 the inventory's hosts and groups, each with the connection\n"
	      "                        -H NAME would make (address, port, user, keys, jump hosts)\n"
	      "\n"
	      "options:\n"
	      "  -H [USER@]HOST[:PORT] manage the Postfix on HOST over SSH (every command and\n"
	      "                        the console); host keys are checked strictly. HOST may be\n"
	      "                        an inventory name; ~/.ssh/config applies as for ssh\n"
	      "  -g GROUP              every host of an inventory group (repeatable; `all`): the\n"
	      "                        command runs on each, --parallel N at a time (default 64),\n"
	      "                        output prefixed with the host (--json: a \"host\" key),\n"
	      "                        exit status = hosts that failed. -H twice does the same\n"
	      "  --limit PATTERN       of those, only PATTERN (host or group names or globs,\n"
	      "                        `:`/`,` between terms, !TERM removes, &TERM intersects)\n"
	      "  --host-timeout S      give up on one host of several after S seconds (default 120)\n"
	      "  -F FILE               ssh config file instead of ~/.ssh/config and\n"
	      "                        /etc/ssh/ssh_config (\"none\": no file)\n"
	      "  --inventory FILE      relaydeck or Ansible YAML inventory (default:\n"
	      "                        ~/.config/relaydeck/inventory.yml when it exists)\n"
	      "  --connect-timeout S   give up on HOST after S seconds (resolve, connect, key\n"
	      "                        exchange, authentication; default 15)\n"
	      "  --sudo                on HOST, run commands and file changes through sudo -n\n"
	      "  --known-hosts FILE    known_hosts file to check HOST's key against (default:\n"
	      "                        ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts)\n"
	      "  -i FILE               identity file for HOST, tried after ssh-agent (repeatable;\n"
	      "                        default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa)\n"
	      "  -c DIR                Postfix config directory (default: $MAIL_CONFIG,\n"
	      "                        then `postconf -h config_directory`)\n"
	      "  --state-dir DIR       where staged edits, backups and the lock live (default:\n"
	      "                        $RELAYDECK_STATE_DIR, not as root; then /var/lib/relaydeck/...\n"
	      "                        as root, else ~/.local/state/relaydeck/...); it must be\n"
	      "                        yours and writable by no one else\n"
	      "  --trust-config-dir    as root, run sendmail_path and `postfix check|reload` for a\n"
	      "                        config dir another user owns or others can write\n"
	      "  --json                machine-readable output\n"
	      "  --yes, -y             do not ask before apply, rollback or a queue action\n"
	      "  --theme NAME          console theme (default, light, high-contrast, monochrome)\n"
	      "  --version, --help\n"
	      "\n"
	      "exit codes: 0 ok, 1 failed (files restored), 2 usage, 3 invalid value,\n"
	      "4 unparsable config, 5 locked, 6 not found, 7 permission denied\n", fp);
}

/* take_value - the argument of an option given as "--opt VALUE" or "--opt=VALUE". */
static const char *take_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "relaydeck: %s needs a value\n", opt);
		exit(EXIT_USAGE);
	}
	return argv[++*i];
}

static int is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(arg, opt, n) == 0 && (arg[n] == '\0' || (opt[1] == '-' && arg[n] == '='));
}

/* ask_passphrase - the console asks the admin for an encrypted key's
 * passphrase on the terminal, echo off (before curses starts). */
static int ask_passphrase(void *arg, const char *path, char *buf, size_t len)
{
	struct secret pw = { NULL, 0 };
	char prompt[1100];
	struct err e;

	(void)arg;
	err_clear(&e);
	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", path);
	if (cli_prompt_password(prompt, &pw, &e) < 0 || pw.len + 1 > len) {
		secret_free(&pw);
		return -1;
	}
	memcpy(buf, pw.data, pw.len + 1);
	secret_free(&pw);
	return 0;
}

/* console_connect - the console's target: an encrypted key's passphrase is
 * asked for, and an unknown host key is shown with its fingerprint and
 * recorded in known_hosts when the admin accepts it (a changed key is
 * refused, as always). */
static struct target *console_connect(struct cli_opts *o, struct err *e)
{
	struct target *t;
	char answer[16];

	o->passphrase = ask_passphrase;
	t = cli_connect_target(o, e);	/* the console recovers on screen */
	if (t != NULL || e->code != ERR_HOSTKEY_UNKNOWN || o->host == NULL)
		return t;
	fprintf(stderr, "relaydeck: %s\n", e->msg);
	fprintf(stderr, "Accept this key for %s and record it in known_hosts? [y/N] ", o->host);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
		return NULL;	/* e still says why */
	err_clear(e);
	o->accept_new = 1;
	return cli_connect_target(o, e);
}

/* fleet_console - the console on the selected hosts (the Fleet screen). */
static int fleet_console(const struct cli_opts *o)
{
	struct console_opts co = { 0 };
	struct console_fleet f = { 0 };
	struct inventory *inv = NULL;
	struct cli_opts oh = *o;
	struct err e;
	int status = EXIT_OK;

	err_clear(&e);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "relaydeck: the console needs a terminal; "
			"see `relaydeck --help` for commands\n");
		return EXIT_USAGE;
	}
	if (cli_fleet_select(o, &inv, &f.hosts, &f.n, &e) < 0) {
		cli_report_error(o, &e);
		return cli_exit_code(&e);
	}
	oh.inv = inv;
	f.open = cli_fleet_open;
	f.arg = &oh;
	f.parallel = o->parallel > 0 ? (size_t)o->parallel : 0;
	f.host_timeout_ms = o->host_timeout_ms;
	co.theme = o->theme;
	co.no_color = getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0';
	if (console_run_fleet(&f, &co, &e) < 0) {
		cli_report_error(o, &e);
		status = cli_exit_code(&e);
	}
	fleet_names_free(f.hosts, f.n);
	inventory_free(inv);
	return status;
}

/* reuse_freed_memory - for one command on this machine, which then exits:
 * large blocks come from the heap, and freed ones are reused there. By
 * default glibc maps each block over its threshold on its own and unmaps
 * it when freed, so every large buffer is new memory the kernel must
 * fault in, zero and account: a map add on a 1M-line table took 380 MB of
 * new pages (its 50 MB reads and copies). Measured on that add: 460 ->
 * 405 ms of CPU, 356 -> 328 MB peak. Freed blocks are wiped before they
 * are freed either way (core/buf). */
static void reuse_freed_memory(void)
{
#if defined(M_MMAP_MAX) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

int main(int argc, char **argv)
{
	struct cli_opts o = { 0 };
	char **rest;
	int nrest = 0, status;

	/* A guard between relaydeck and a program it runs (core/target_local). */
	if (argc > 1 && strcmp(argv[1], TARGET_GUARD_ARG) == 0)
		return target_local_guard_main(argc, argv);
	target_local_spawn_via_self();
	/* Before anything can read a secret: no core dump of this process. */
	{
		struct err e;

		err_clear(&e);
		if (secret_protect_process(&e) < 0) {
			fprintf(stderr, "relaydeck: %s\n", e.msg);
			return EXIT_FAILED;
		}
	}
	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	/* Whatever is printed may quote a peer or a file: escaped on the way out. */
	termout_install(TERMOUT_STDERR);
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (rest == NULL)
		return EXIT_FAILED;
	/* Global options may stand before or after the command. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				rest[nrest++] = argv[i];
			break;
		} else if (strcmp(a, "-c") == 0 || is_opt(a, "--config")) {
			o.config_dir = take_value(argc, argv, &i, a[1] == 'c' ? "-c" : "--config");
		} else if (strcmp(a, "-H") == 0) {
			/* no --host: setup has its own --host (the smart host) */
			const char *v = take_value(argc, argv, &i, "-H");

			if (o.n_hosts >= CLI_MAX_HOSTS) {
				fprintf(stderr, "relaydeck: at most %d -H; name more hosts in an "
					"inventory group (-g)\n", CLI_MAX_HOSTS);
				free(rest);
				return EXIT_USAGE;
			}
			if (o.host == NULL)
				o.host = v;
			o.hosts[o.n_hosts++] = v;
		} else if (strcmp(a, "-g") == 0 || is_opt(a, "--group")) {
			const char *v = take_value(argc, argv, &i, a[1] == 'g' ? "-g" : "--group");

			if (o.n_groups >= CLI_MAX_GROUPS) {
				fprintf(stderr, "relaydeck: at most %d -g\n", CLI_MAX_GROUPS);
				free(rest);
				return EXIT_USAGE;
			}
			o.groups[o.n_groups++] = v;
		} else if (is_opt(a, "--limit")) {
			o.limit = take_value(argc, argv, &i, "--limit");
		} else if (is_opt(a, "--parallel") || is_opt(a, "--host-timeout")) {
			int par = a[2] == 'p';
			const char *v = take_value(argc, argv, &i, par ? "--parallel" : "--host-timeout");
			char *end;
			double x = strtod(v, &end);

			if (*end != '\0' || x <= 0 || x > (par ? 10000 : 86400) ||
			    (par && x != (int)x)) {
				fprintf(stderr, "relaydeck: %s: %s\n", par ? "--parallel" : "--host-timeout",
					par ? "a number of hosts between 1 and 10000"
					    : "seconds between 0 and 86400");
				free(rest);
				return EXIT_USAGE;
			}
			if (par)
				o.parallel = (int)x;
			else
				o.host_timeout_ms = (int)(x * 1000);
		} else if (is_opt(a, "--connect-timeout")) {
			const char *v = take_value(argc, argv, &i, "--connect-timeout");
			char *end;
			double secs = strtod(v, &end);

			if (*end != '\0' || secs <= 0 || secs > 3600) {
				fprintf(stderr, "relaydeck: --connect-timeout: seconds between 0 and 3600\n");
				free(rest);
				return EXIT_USAGE;
			}
			o.connect_timeout_ms = (int)(secs * 1000);
		} else if (strcmp(a, "-F") == 0) {
			o.ssh_config = take_value(argc, argv, &i, "-F");
		} else if (is_opt(a, "--inventory")) {
			o.inventory = take_value(argc, argv, &i, "--inventory");
		} else if (strcmp(a, "--sudo") == 0) {
			o.sudo = 1;
		} else if (is_opt(a, "--known-hosts")) {
			o.known_hosts = take_value(argc, argv, &i, "--known-hosts");
		} else if (strcmp(a, "-i") == 0 || is_opt(a, "--identity")) {
			const char *v = take_value(argc, argv, &i, a[1] == 'i' ? "-i" : "--identity");

			if (o.n_identities >= CLI_MAX_IDENTITIES) {
				fprintf(stderr, "relaydeck: at most %d identity files\n",
					CLI_MAX_IDENTITIES);
				free(rest);
				return EXIT_USAGE;
			}
			o.identities[o.n_identities++] = v;
		} else if (is_opt(a, "--state-dir")) {
			o.state_dir = take_value(argc, argv, &i, "--state-dir");
		} else if (strcmp(a, "--trust-config-dir") == 0) {
			o.trust_config_dir = 1;
		} else if (is_opt(a, "--theme")) {
			o.theme = take_value(argc, argv, &i, "--theme");
		} else if (strcmp(a, "--json") == 0) {
			o.json = 1;
		} else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			o.yes = 1;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("relaydeck %s\n", PACKAGE_VERSION);
			free(rest);
			return EXIT_OK;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			free(rest);
			return EXIT_OK;
		} else if (a[0] == '-' && a[1] != '\0' && nrest == 0) {
			fprintf(stderr, "relaydeck: unknown option %s\n", a);
			usage(stderr);
			free(rest);
			return EXIT_USAGE;
		} else {
			rest[nrest++] = argv[i];
		}
	}
	/* As root the environment may be a sudo user's: it does not choose
	 * where root writes (see target_local_new). */
	if (geteuid() == 0 && o.host == NULL && o.state_dir == NULL &&
	    getenv("RELAYDECK_STATE_DIR") && *getenv("RELAYDECK_STATE_DIR"))
		fprintf(stderr, "relaydeck: RELAYDECK_STATE_DIR is ignored as root; "
			"give --state-dir DIR on the command line\n");
	if (nrest > 0) {
		termout_install(TERMOUT_STDOUT);	/* not for the console: curses owns stdout */
		if (cli_fleet_wanted(&o)) {
			status = cli_fleet_run(&o, nrest, rest);
		} else {
			if (o.host == NULL)
				reuse_freed_memory();
			status = cli_run(&o, nrest, rest);
		}
	} else if (cli_fleet_wanted(&o)) {
		status = fleet_console(&o);
	} else {
		struct console_opts co = { 0 };
		struct target *t;
		struct err e;

		err_clear(&e);
		co.theme = o.theme;
		co.no_color = getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0';
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "relaydeck: the console needs a terminal; "
				"see `relaydeck --help` for commands\n");
			free(rest);
			return EXIT_USAGE;
		}
		t = console_connect(&o, &e);
		if (t == NULL) {
			cli_report_error(&o, &e);
			status = cli_exit_code(&e);
		} else if (console_run(t, &co, &e) < 0) {
			cli_report_error(&o, &e);	/* the console has ended curses by now */
			status = cli_exit_code(&e);
		} else {
			status = EXIT_OK;
		}
		target_free(t);
	}
	free(rest);
	return status;
}
