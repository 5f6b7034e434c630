/*
 * sshhost - one connection's options from inventory, ssh_config and the
 * command line. See sshhost.h.
 */
#include "config.h"
#include "sshhost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hop_free - one hop and what it owns. */
static void hop_free(struct sshhost_hop *h)
{
	if (h == NULL)
		return;
	sshcfg_free(&h->cfg);
	for (size_t i = 0; i < 4; i++)
		free(h->kh_store[i]);
	free(h->spec_user);
	free(h->spec_host);
	free(h);
}

/* fill - the ssh_opts of a hop from its resolved config. */
static int fill(struct sshhost_hop *h, const struct sshhost_in *in, int target,
		const char *inv_identity, const char *inv_known_hosts, struct err *e)
{
	struct sshcfg *c = &h->cfg;
	struct ssh_opts *o = &h->o;
	const char *home = getenv("HOME");
	size_t nid = 0, nkh = 0;

	o->host = c->hostname;
	o->port = c->port;
	o->user = c->user;
	o->no_agent = c->identities_only;
	o->host_key_alias = c->host_key_alias;
	o->hash_known_hosts = c->hash_known_hosts;
	/* -i, then the inventory's key (Ansible's -o IdentityFile), then IdentityFile lines */
	if (target)
		for (size_t i = 0; i < in->n_identities; i++)
			h->ids[nid++] = in->identities[i];
	if (inv_identity) {
		/* ssh expands ~ in an -o IdentityFile, which is how Ansible passes it */
		if (inv_identity[0] == '~' && inv_identity[1] == '/' && home) {
			if (asprintf(&h->kh_store[2], "%s%s", home, inv_identity + 1) < 0)
				return err_set(e, ERR_NOMEM, "out of memory");
			inv_identity = h->kh_store[2];
		}
		h->ids[nid++] = inv_identity;
	}
	for (size_t i = 0; i < c->n_identity; i++)
		h->ids[nid++] = c->identity[i];
	if (nid) {
		o->identities = h->ids;
		o->n_identities = nid;
	}
	if (in->known_hosts) {
		h->kh[nkh++] = in->known_hosts;
	} else if (inv_known_hosts) {
		if (inv_known_hosts[0] == '~' && inv_known_hosts[1] == '/' && home) {
			if (asprintf(&h->kh_store[3], "%s%s", home, inv_known_hosts + 1) < 0)
				return err_set(e, ERR_NOMEM, "out of memory");
			inv_known_hosts = h->kh_store[3];
		}
		h->kh[nkh++] = inv_known_hosts;
	} else {
		if (c->user_kh_set) {
			for (size_t i = 0; i < c->n_user_kh; i++)
				h->kh[nkh++] = c->user_kh[i];
		} else if (home && *home) {
			if (asprintf(&h->kh_store[0], "%s/.ssh/known_hosts", home) < 0 ||
			    asprintf(&h->kh_store[1], "%s/.ssh/known_hosts2", home) < 0)
				return err_set(e, ERR_NOMEM, "out of memory");
			h->kh[nkh++] = h->kh_store[0];
			h->kh[nkh++] = h->kh_store[1];
		}
		if (c->global_kh_set) {
			for (size_t i = 0; i < c->n_global_kh; i++)
				h->kh[nkh++] = c->global_kh[i];
		} else {
			h->kh[nkh++] = "/etc/ssh/ssh_known_hosts";
			h->kh[nkh++] = "/etc/ssh/ssh_known_hosts2";
		}
	}
	o->known_hosts = h->kh;
	o->n_known_hosts = nkh;
	o->passphrase = in->passphrase;
	o->passphrase_arg = in->passphrase_arg;
	switch (target && in->accept_new ? SSHCFG_STRICT_ACCEPT_NEW : c->strict) {
	case SSHCFG_STRICT_ACCEPT_NEW:
		o->hostkey_policy = SSH_HOSTKEY_ACCEPT_NEW;
		/* recorded where ssh records it: the first user known_hosts file */
		if (in->known_hosts)
			o->known_hosts_add = in->known_hosts;
		else if (inv_known_hosts)
			o->known_hosts_add = inv_known_hosts;
		else if (c->user_kh_set)
			o->known_hosts_add = c->n_user_kh ? c->user_kh[0] : NULL;
		else
			o->known_hosts_add = h->kh_store[0];
		break;
	case SSHCFG_STRICT_NO:
		o->hostkey_policy = SSH_HOSTKEY_ACCEPT_UNKNOWN;
		break;
	default:
		o->hostkey_policy = SSH_HOSTKEY_STRICT;
	}
	o->connect_timeout_ms = in->connect_timeout_ms > 0 ? in->connect_timeout_ms
			       : c->connect_timeout_s > 0 ? c->connect_timeout_s * 1000 : 0;
	return 0;
}

/* resolve_hop - the config of one name (user/port from its spec win). */
static struct sshhost_hop *resolve_hop(const struct sshhost_in *in, const char *host,
				       const char *user, int port, struct err *e)
{
	struct sshhost_hop *h = calloc(1, sizeof(*h));
	struct sshcfg_in ci = { 0 };

	if (h == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	ci.host = host;
	ci.user = user;
	ci.port = port;
	ci.config = in->ssh_config;
	ci.system_config = in->system_config;
	if (sshcfg_resolve(&ci, &h->cfg, e) < 0) {
		hop_free(h);
		return NULL;
	}
	return h;
}

/* add_jumps - the hops of list for the host at index at, last hop first:
 * "a,b" means a first, then b, then the host. */
static int add_jumps(struct sshhost *out, const struct sshhost_in *in, size_t at,
		     const char *list, struct err *e)
{
	char *hu[SSH_MAX_HOPS + 1], *hh[SSH_MAX_HOPS + 1];
	int hp[SSH_MAX_HOPS + 1];
	size_t n = 0;
	const char *l = list;
	int r, rc = -1;

	while ((r = sshcfg_jump_next(&l, &hu[n], &hh[n], &hp[n], e)) == 0) {
		if (++n > SSH_MAX_HOPS) {
			err_set(e, ERR_USAGE, "ProxyJump %s: more than %d jump hosts", list,
				SSH_MAX_HOPS);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	/* hop n-1 is the one the host connects through; hop 0 connects first */
	for (size_t k = n; k-- > 0;) {
		struct sshhost_hop *h;

		if (out->n_hops > SSH_MAX_HOPS) {
			err_set(e, ERR_USAGE, "more than %d jump hosts (a ProxyJump loop?)",
				SSH_MAX_HOPS);
			goto out;
		}
		h = resolve_hop(in, hh[k], hu[k], hp[k], e);
		if (h == NULL)
			goto out;
		if (fill(h, in, 0, NULL, NULL, e) < 0) {
			hop_free(h);
			goto out;
		}
		out->hop[out->n_hops] = h;
		out->hop[at]->o.via = &h->o;
		at = out->n_hops++;
	}
	/* the first hop's own ProxyJump is followed, as `ssh -J` does for it */
	if (out->hop[at]->cfg.proxy_jump &&
	    add_jumps(out, in, at, out->hop[at]->cfg.proxy_jump, e) < 0)
		goto out;
	rc = 0;
out:
	for (size_t k = 0; k < n && k <= SSH_MAX_HOPS; k++) {
		free(hu[k]);
		free(hh[k]);
	}
	return rc;
}

int sshhost_resolve(const struct sshhost_in *in, struct sshhost *out, struct err *e)
{
	char *user = NULL, *host = NULL;
	int port = 0;
	const struct inv_host *ih = NULL;
	struct sshhost_hop *t;

	memset(out, 0, sizeof(*out));
	out->sudo = -1;
	if (in->spec == NULL || *in->spec == '\0')
		return err_set(e, ERR_USAGE, "-H: no host");
	if ((out->name = strdup(in->spec)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* an inventory name first (names never hold '@'), then [user@]host[:port] */
	if (in->inv)
		ih = inventory_host(in->inv, in->spec);
	if (ih == NULL && ssh_spec_parse(in->spec, &user, &host, &port, e) < 0)
		goto fail;
	if (ih == NULL && in->inv && (ih = inventory_host(in->inv, host)) != NULL) {
		/* "user@name:port" of an inventory name: the name is looked up */
	}
	if (ih) {
		out->inv_host = ih;
		out->sudo = ih->sudo;
		out->config_dir = ih->config_dir;
		if (user == NULL && ih->user && (user = strdup(ih->user)) == NULL)
			goto nomem;
		if (port == 0)
			port = ih->port;
		free(host);
		if ((host = strdup(ih->address ? ih->address : ih->name)) == NULL)
			goto nomem;
	}
	t = resolve_hop(in, host, user, port, e);
	if (t == NULL)
		goto fail;
	out->hop[0] = t;
	out->n_hops = 1;
	t->spec_user = user;
	t->spec_host = host;
	user = host = NULL;
	if (fill(t, in, 1, ih ? ih->identity : NULL, ih ? ih->known_hosts : NULL, e) < 0)
		goto fail;
	if (t->cfg.proxy_jump && add_jumps(out, in, 0, t->cfg.proxy_jump, e) < 0)
		goto fail;
	/* one deadline for the chain: the target's timeout */
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
fail:
	free(user);
	free(host);
	sshhost_free(out);
	return -1;
}

void sshhost_free(struct sshhost *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n_hops; i++)
		hop_free(h->hop[i]);
	free(h->name);
	memset(h, 0, sizeof(*h));
}

const struct ssh_opts *sshhost_opts(const struct sshhost *h)
{
	return h->n_hops ? &h->hop[0]->o : NULL;
}
