/*
 * creds - SMTP AUTH credentials for the relay: the sasl_passwd table.
 *
 * Entries are keyed by "[host]:port" (the relayhost as written) or, with
 * smtp_sender_dependent_authentication, by a sender address or "@domain".
 * The value is "user:password"; Postfix splits it at the FIRST ':' so a
 * password may contain ':' (a user may not). A password keeps inner
 * spaces; leading/trailing blanks, CR, LF and NUL cannot round-trip and
 * are refused (ERR_INVALID naming the key, never the secret).
 *
 * Every write is a change-set staging: the table with CS_SECRET (0600
 * before a byte is written) and CS_POSTMAP with the source's type (the
 * host's default_database_type when main.cf names no table). A later call
 * on the same change set edits what is already staged there, so a wizard
 * can add several entries in one apply.
 *
 * Ownership: creds_list returns an array freed with creds_list_free;
 * creds_audit one freed with creds_audit_free. struct secret is the
 * caller's; creds_* copy nothing of it except into the staged table,
 * which the change set wipes when freed.
 */
#ifndef RELAYDECK_CREDS_H
#define RELAYDECK_CREDS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct target;
struct changeset;
struct maincf;
struct secret;

/* Where the credentials live. */
struct creds_src {
	char type[32];		/* "hash", "lmdb", "texthash", ... */
	char path[4096];	/* absolute source path */
	int configured;		/* 1 when smtp_sasl_password_maps names it */
};

/* creds_source - the first file-based table of smtp_sasl_password_maps
 * (expanded with postconf -x); when unset, CONFIG_DIR/sasl_passwd with the
 * host's default_database_type and configured = 0. */
int creds_source(struct target *t, struct creds_src *src, struct err *e);

struct creds_entry {
	char *key;		/* "[smtp.example.com]:587" or "user@example.com" */
	char *user;
	char *masked;		/* "user:••••" */
	int line;
};

/* creds_list - entries of src's source (a missing file is an empty list). */
int creds_list(struct target *t, const struct creds_src *src, struct creds_entry **list,
	       size_t *count, struct err *e);
void creds_list_free(struct creds_entry *list, size_t count);

/* creds_check_key - "[host]:port", "[host]", host, "user@domain" or "@domain". */
int creds_check_key(const char *key, struct err *e);
/* creds_check_user - non-empty, no ':' or whitespace or control bytes. */
int creds_check_user(const char *user, struct err *e);
/* creds_check_password - see the file header; the message never quotes it. */
int creds_check_password(const struct secret *pw, struct err *e);

/* creds_set - stage "key user:password" (added or replaced). */
int creds_set(struct changeset *cs, struct target *t, const struct creds_src *src,
	      const char *key, const char *user, const struct secret *pw, struct err *e);

/* creds_rotate - stage a new password for an existing key (same user);
 * ERR_NOTFOUND when the key has no entry. */
int creds_rotate(struct changeset *cs, struct target *t, const struct creds_src *src,
		 const char *key, const struct secret *pw, struct err *e);

/* creds_remove - stage the removal of key's entry; ERR_NOTFOUND when none. */
int creds_remove(struct changeset *cs, struct target *t, const struct creds_src *src,
		 const char *key, struct err *e);

/* A credential file or compiled table with unsafe permissions. */
struct creds_finding {
	char *path;
	mode_t mode;
	uid_t uid;
	char *problem;		/* "group/world readable (0644)", "owner uid 1000, not root" */
};

/* creds_audit - check every source and compiled table (.db .lmdb .cdb)
 * of every credentials table (secrecy_load: smtp_ and lmtp_sasl_password_maps,
 * master.cf overrides) and the sasl_passwd default. */
int creds_audit(struct target *t, struct creds_finding **list, size_t *count, struct err *e);
void creds_audit_free(struct creds_finding *list, size_t count);

/* creds_audit_stage_fix - stage every finding's source again with
 * CS_SECRET (same bytes, mode 0600, postmap rebuilds the table 0600). */
int creds_audit_stage_fix(struct changeset *cs, struct target *t,
			  const struct creds_finding *list, size_t count, struct err *e);

#endif
