/*
 * sshconfig - OpenSSH client configuration (ssh_config(5)) read the way
 * ssh(1) reads it, without running ssh: which HostName, Port, User,
 * identity files, known_hosts files, ProxyJump, StrictHostKeyChecking and
 * ConnectTimeout apply to a host.
 *
 * Files: -F FILE (or "none"), else ~/.ssh/config then /etc/ssh/ssh_config.
 * Host patterns (`*`, `?`, `!`, several per line) match the name given;
 * Match all|host|originalhost|user|localuser|canonical|final (negated
 * with `!`); `Match final` re-reads the files with Host matching the
 * resolved HostName, as ssh does; `Match exec` is refused when it would
 * decide (relaydeck runs no local command). Include with globs, relative
 * to ~/.ssh (/etc/ssh for the system file), at most SSHCFG_MAX_DEPTH deep,
 * conditional inside Host/Match. First value wins, except IdentityFile
 * (accumulates, duplicates dropped). Keywords are case-insensitive, `=`
 * or whitespace separates, arguments may be quoted. Unknown keywords are
 * skipped; those that would change the connection but are not used
 * (HostKeyAlgorithms, KexAlgorithms, ...) leave a note. A syntax error
 * fails with file:line (ERR_PARSE).
 *
 * Tokens: HostName %h %%; IdentityFile and UserKnownHostsFile %% %C %d %h
 * %i %k %L %l %n %p %r %u, `~` and ${VAR}; ProxyJump %% %h %n %p %r.
 * `~` and %d are $HOME (the passwd entry's home when HOME is unset).
 *
 * Ownership: sshcfg_resolve fills a caller-owned struct sshcfg whose
 * strings the caller releases with sshcfg_free (safe on a zeroed one).
 */
#ifndef RELAYDECK_SSHCONFIG_H
#define RELAYDECK_SSHCONFIG_H

#include <stddef.h>

#include "err.h"

#define SSHCFG_MAX_DEPTH 16	/* Include nesting, as OpenSSH's READCONF_MAX_DEPTH */
#define SSHCFG_MAX_FILES 32	/* identity files; known_hosts files per keyword */
#define SSHCFG_MAX_BYTES (4u << 20)	/* one config file */

enum sshcfg_strict {
	SSHCFG_STRICT_ASK = 0,	/* the default: an unknown key is refused (and offered in the console) */
	SSHCFG_STRICT_YES,	/* unknown keys refused */
	SSHCFG_STRICT_ACCEPT_NEW,	/* a host with no key known: accepted and recorded */
	SSHCFG_STRICT_NO,	/* unknown keys accepted for this connection, not recorded */
};

struct sshcfg_in {
	const char *host;	/* the name as given: -H, or an inventory's address */
	const char *user;	/* from the command line (or an inventory); NULL */
	int port;		/* from the command line (or an inventory); 0 */
	/* -F FILE; "none": no file at all; NULL: ~/.ssh/config then system_config */
	const char *config;
	const char *system_config;	/* NULL: /etc/ssh/ssh_config */
	/* the text of one config file instead of reading `config` (tests, fuzzing);
	 * config then only names it in messages */
	const char *text;
	size_t text_len;
	int no_include;		/* skip Include (fuzzing: read no other file) */
};

/* Where a value came from: "" when not from a file. */
struct sshcfg_origin {
	char file[256];
	int line;
};

struct sshcfg {
	char *hostname;		/* HostName with %h expanded, lower-cased; else the name given */
	int port;		/* 22 when nothing says otherwise */
	char *user;		/* User; else the local login name */
	char *identity[SSHCFG_MAX_FILES];	/* expanded; empty: ssh's defaults */
	size_t n_identity;
	int identities_only;	/* 0 or 1 */
	char *proxy_jump;	/* "[user@]host[:port],..." (tokens expanded), NULL for none */
	enum sshcfg_strict strict;
	int user_kh_set;	/* UserKnownHostsFile given (maybe "none": 0 files) */
	char *user_kh[SSHCFG_MAX_FILES];
	size_t n_user_kh;
	int global_kh_set;
	char *global_kh[SSHCFG_MAX_FILES];
	size_t n_global_kh;
	int connect_timeout_s;	/* 0: not set */
	int hash_known_hosts;	/* HashKnownHosts yes: new known_hosts lines hashed */
	char *host_key_alias;	/* HostKeyAlias, or NULL */
	struct sshcfg_origin o_hostname, o_port, o_user, o_proxy_jump, o_identity;
	char *files;		/* config files read, one per line */
	char *notes;		/* keywords read but not used, one "file:line: note" per line */
};

/* sshcfg_resolve - the configuration that applies to in->host. */
int sshcfg_resolve(const struct sshcfg_in *in, struct sshcfg *out, struct err *e);
void sshcfg_free(struct sshcfg *c);

/* sshcfg_jump_next - split the next hop off a ProxyJump list: *list moves
 * past it. "[user@]host[:port]" or "ssh://[user@]host[:port]"; 0 and
 * malloc'd *user (maybe NULL) and *host, or -1 with ERR_PARSE; 1 at the end. */
int sshcfg_jump_next(const char **list, char **user, char **host, int *port, struct err *e);

/* sshcfg_pattern_match - one ssh pattern (`*`, `?`) against s, in linear
 * time per pattern character; fold: compare ASCII case-insensitively. */
int sshcfg_pattern_match(const char *s, const char *pattern, int fold);

/* sshcfg_strict_name - "ask", "yes", "accept-new", "no". */
const char *sshcfg_strict_name(enum sshcfg_strict s);

#endif
