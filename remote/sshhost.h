/*
 * sshhost - from what the admin named (-H NAME, an inventory entry,
 * ~/.ssh/config or -F, -i, --known-hosts) to the options of one SSH
 * connection and of each jump host before it.
 *
 * Precedence, as ssh and Ansible's ssh connection have it: the command
 * line (user@ and :port of -H, -i) over the inventory's variables (which
 * Ansible passes to ssh as -o options) over ssh_config, where the first
 * value wins. An inventory host is looked up under its inventory name;
 * ssh_config then sees its address (ansible_host) as the host name, as
 * ssh does when Ansible runs it. -i and the inventory's identity come
 * before IdentityFile lines; --known-hosts replaces every known_hosts file
 * for every hop (so scripts and tests never read ~/.ssh/known_hosts);
 * --connect-timeout bounds the whole chain.
 *
 * ProxyJump hops are resolved through the same ssh_config, with the user
 * and port of the hop's own spec winning; the first hop's own ProxyJump
 * is followed too (ssh runs `ssh -J ...` for it), at most SSH_MAX_HOPS.
 *
 * Ownership: sshhost_resolve fills a caller-owned struct sshhost;
 * sshhost_free releases it. The ssh_opts inside point into it.
 */
#ifndef RELAYDECK_SSHHOST_H
#define RELAYDECK_SSHHOST_H

#include "inventory.h"
#include "ssh_session.h"
#include "sshconfig.h"

struct sshhost_in {
	const char *spec;		/* -H "[user@]host[:port]" or an inventory name */
	const char *ssh_config;		/* -F FILE or "none"; NULL: ~/.ssh/config, /etc/ssh/ssh_config */
	const char *system_config;	/* NULL: /etc/ssh/ssh_config */
	const char *const *identities;	/* -i FILE... (the target only) */
	size_t n_identities;
	const char *known_hosts;	/* --known-hosts FILE (every hop) */
	int connect_timeout_ms;		/* --connect-timeout; 0: ConnectTimeout, else 15 s */
	/* the admin accepted the target's unknown key after seeing its
	 * fingerprint: accept-new for this connection (a changed key is still
	 * refused), recorded where accept-new records it */
	int accept_new;
	ssh_passphrase_fn passphrase;	/* asks for an encrypted key's passphrase; NULL: batch */
	void *passphrase_arg;
	const struct inventory *inv;	/* NULL: none */
};

struct sshhost_hop {
	struct ssh_opts o;
	struct sshcfg cfg;
	const char *kh[2 * SSHCFG_MAX_FILES + 2];
	const char *ids[SSHCFG_MAX_FILES + 16];
	char *kh_store[4];	/* default file names made here */
	char *spec_user, *spec_host;
};

struct sshhost {
	struct sshhost_hop *hop[SSH_MAX_HOPS + 1];	/* [0] the target, [i+1] the jump host of [i] */
	size_t n_hops;
	const struct inv_host *inv_host;	/* the inventory entry, or NULL */
	int sudo;			/* from the inventory: -1 unset */
	const char *config_dir;		/* from the inventory, or NULL */
	char *name;			/* what -H said */
};

int sshhost_resolve(const struct sshhost_in *in, struct sshhost *out, struct err *e);
void sshhost_free(struct sshhost *h);

/* sshhost_opts - the target's options (its via chain included). */
const struct ssh_opts *sshhost_opts(const struct sshhost *h);

#endif
