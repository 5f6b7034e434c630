/*
 * main - parse the command line; a subcommand runs the scriptable front
 * end (cli.c), no subcommand opens the console (console.c).
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#include "target.h"

static void usage(FILE *fp)
{
	fputs("usage: relaydeck [-c DIR] [--state-dir DIR] [--json] [--theme NAME] [COMMAND [ARGS]]\n"
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
	      "  apply [--yes]         apply staged edits: backup, write, postfix check, reload\n"
	      "  history               backups taken before each change, newest first\n"
	      "  rollback [ID] [--yes] restore a backup (the newest without ID)\n"
	      "  probe tls|auth HOST[:PORT] [--tls starttls|implicit] [--ca-file F] [--ca-path D]\n"
	      "      [--servername N] [--digest sha256|sha1|md5] [--timeout MS]\n"
	      "      [--user U --password-file F|-]\n"
	      "                        test a smart host: TLS, certificate, fingerprints, AUTH\n"
	      "  probe send --to ADDR [--from ADDR] [--timeout SECONDS]\n"
	      "                        send a test message through this Postfix and follow it\n"
	      "                        in its log: status, relay, delays, dsn, TLS, SASL\n"
	      "  pin HOST[:PORT] [--mode fingerprint|pubkey|secure|verify] [--policy-file P]\n"
	      "                        probe, then pin the result in smtp_tls_policy_maps\n"
	      "  providers             the smart-host catalog: hosts, ports, TLS, limits\n"
	      "  setup --provider ID [--host H] [--region R] [--port P] [--tls starttls|implicit]\n"
	      "      [--user U] [--password-file F|-] [--ca-file F] [--rewrite FROM=TO]... [--yes]\n"
	      "                        point Postfix at a provider: main.cf, sasl_passwd,\n"
	      "                        generic map in one change set (password from a file or stdin)\n"
	      "  creds list            sasl_passwd entries (user and a mask, never the secret)\n"
	      "  creds add KEY --user U [--password-file F|-]\n"
	      "  creds rotate KEY [--password-file F|-] [--no-test]\n"
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
	      "\n"
	      "options:\n"
	      "  -c DIR                Postfix config directory (default: $MAIL_CONFIG,\n"
	      "                        then `postconf -h config_directory`)\n"
	      "  --state-dir DIR       where staged edits, backups and the lock live\n"
	      "                        (default: $RELAYDECK_STATE_DIR, then /var/lib/relaydeck/...)\n"
	      "  --json                machine-readable output\n"
	      "  --yes, -y             do not ask before apply or rollback\n"
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

int main(int argc, char **argv)
{
	struct cli_opts o = { 0 };
	char **rest;
	int nrest = 0, status;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
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
		} else if (is_opt(a, "--state-dir")) {
			o.state_dir = take_value(argc, argv, &i, "--state-dir");
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
	if (nrest > 0) {
		status = cli_run(&o, nrest, rest);
	} else {
		struct console_opts co = { 0 };
		struct target *t;
		struct err e;

		err_clear(&e);
		co.theme = o.theme;
		co.no_color = getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0';
		t = cli_open_target(&o, &e);
		if (t == NULL) {
			cli_report_error(&o, &e);
			status = cli_exit_code(&e);
		} else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "relaydeck: the console needs a terminal; "
				"see `relaydeck --help` for commands\n");
			status = EXIT_USAGE;
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
