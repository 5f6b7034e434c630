/*
 * cli_hosts - `relaydeck hosts`. See cli_hosts.h.
 *
 * Every host is resolved exactly as -H NAME would resolve it
 * (remote/sshhost: inventory, then ssh_config, then the command line's
 * -i/-F/--known-hosts), without connecting.
 */
#include "config.h"
#include "cli_hosts.h"
#include "cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "inventory.h"
#include "json.h"
#include "sshhost.h"

/* resolve - -H NAME's resolution for one inventory host. */
static int resolve(const struct cli_opts *o, const struct inventory *inv, const char *name,
		   struct sshhost *h, struct err *e)
{
	struct sshhost_in in = { 0 };

	in.spec = name;
	in.ssh_config = o->ssh_config;
	in.identities = o->identities;
	in.n_identities = (size_t)o->n_identities;
	in.known_hosts = o->known_hosts;
	in.connect_timeout_ms = o->connect_timeout_ms;
	in.inv = inv;
	return sshhost_resolve(&in, h, e);
}

/* origin - "FILE:LINE", or what else set the value. */
static void origin(char *out, size_t len, const struct sshcfg_origin *so, const char *inv_file,
		   int inv_set, int cli_set)
{
	/* ssh_config fills only what neither the command line nor the
	 * inventory set; its HostName replaces the name it was given */
	if (so->file[0])
		snprintf(out, len, "%s:%d", so->file, so->line);
	else if (cli_set)
		snprintf(out, len, "command line");
	else if (inv_set)
		snprintf(out, len, "%s", inv_file);
	else
		snprintf(out, len, "default");
}

static void json_lines(struct json *j, const char *key, const char *text)
{
	json_key(j, key);
	json_arr_begin(j);
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);

		json_str(j, line);
		free(line);
		p += n + (p[n] == '\n');
	}
	json_arr_end(j);
}

static void json_host(struct json *j, const struct cli_opts *o, const struct inventory *inv,
		      const struct inv_host *ih, const struct sshhost *h)
{
	const struct sshhost_hop *t = h->hop[0];
	const struct ssh_opts *so = &t->o;
	char src[600];

	json_kv_str(j, "host", so->host);
	json_kv_int(j, "port", so->port);
	json_kv_str(j, "user", so->user);
	origin(src, sizeof(src), &t->cfg.o_hostname, inv->file, ih->address != NULL, 0);
	json_kv_str(j, "host_from", src);
	origin(src, sizeof(src), &t->cfg.o_port, inv->file, ih->port > 0, 0);
	json_kv_str(j, "port_from", src);
	origin(src, sizeof(src), &t->cfg.o_user, inv->file, ih->user != NULL, 0);
	json_kv_str(j, "user_from", src);
	json_key(j, "identity_files");
	json_arr_begin(j);
	for (size_t i = 0; i < so->n_identities; i++)
		json_str(j, so->identities[i]);
	json_arr_end(j);
	json_kv_bool(j, "identities_only", so->no_agent);
	json_key(j, "known_hosts");
	json_arr_begin(j);
	for (size_t i = 0; i < so->n_known_hosts; i++)
		json_str(j, so->known_hosts[i]);
	json_arr_end(j);
	json_kv_str(j, "strict_host_key_checking", sshcfg_strict_name(t->cfg.strict));
	json_kv_bool(j, "sudo", o->sudo || h->sudo == 1);
	json_kv_str(j, "config_dir", o->config_dir ? o->config_dir : h->config_dir);
	json_key(j, "jump_hosts");
	json_arr_begin(j);
	/* first hop first, as ProxyJump lists them */
	{
		const struct ssh_opts *chain[SSH_MAX_HOPS + 1];
		size_t n = 0;

		for (const struct ssh_opts *v = so->via; v && n <= SSH_MAX_HOPS; v = v->via)
			chain[n++] = v;
		while (n-- > 0) {
			json_obj_begin(j);
			json_kv_str(j, "host", chain[n]->host);
			json_kv_int(j, "port", chain[n]->port);
			json_kv_str(j, "user", chain[n]->user);
			json_obj_end(j);
		}
	}
	json_arr_end(j);
	json_lines(j, "ssh_config_files", t->cfg.files);
	json_lines(j, "notes", t->cfg.notes);
}

static void text_host(const struct cli_opts *o, const struct inventory *inv,
		      const struct inv_host *ih, const struct sshhost *h)
{
	const struct sshhost_hop *t = h->hop[0];
	const struct ssh_opts *so = &t->o;
	const struct ssh_opts *chain[SSH_MAX_HOPS + 1];
	char src[600];
	size_t n = 0;

	printf("%s\n", ih->name);
	origin(src, sizeof(src), &t->cfg.o_hostname, inv->file, ih->address != NULL, 0);
	printf("  connect  %s@%s%s%s:%d  (host from %s)\n", so->user, strchr(so->host, ':') ? "[" : "",
	       so->host, strchr(so->host, ':') ? "]" : "", so->port, src);
	for (const struct ssh_opts *v = so->via; v && n <= SSH_MAX_HOPS; v = v->via)
		chain[n++] = v;
	if (n) {
		printf("  via     ");
		while (n-- > 0)
			printf(" %s@%s:%d", chain[n]->user, chain[n]->host, chain[n]->port);
		printf("  (ProxyJump %s:%d)\n", t->cfg.o_proxy_jump.file, t->cfg.o_proxy_jump.line);
	}
	for (size_t i = 0; i < so->n_identities; i++)
		printf("  identity %s\n", so->identities[i]);
	if (so->no_agent)
		printf("  identities only (no ssh-agent)\n");
	if (o->sudo || h->sudo == 1)
		printf("  sudo\n");
	if (o->config_dir || h->config_dir)
		printf("  config   %s\n", o->config_dir ? o->config_dir : h->config_dir);
	if (ih->n_groups) {
		printf("  groups  ");
		for (size_t i = 0; i < ih->n_groups; i++)
			printf(" %s", ih->groups[i]);
		printf("\n");
	}
	for (const char *p = t->cfg.notes; p && *p;) {
		size_t len = strcspn(p, "\n");

		printf("  note     %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

int cli_cmd_hosts(struct cli_ctx *c, int argc, char **argv)
{
	const struct cli_opts *o = c->o;
	struct inventory *inv = NULL;
	struct buf b = BUF_INIT;
	struct json j;
	int failed = 0;

	(void)argv;
	if (argc > 1)
		return cli_usage_error(c, "usage: relaydeck hosts [--json]");
	if (cli_load_inventory(o, &inv, &c->e) < 0)
		return cli_fail(c);
	if (inv == NULL) {
		err_set(&c->e, ERR_NOTFOUND,
			"no inventory: give --inventory FILE or create "
			"~/.config/relaydeck/inventory.yml (see relaydeck(1))");
		return cli_fail(c);
	}
	json_init(&j, &b);
	if (o->json) {
		json_obj_begin(&j);
		json_kv_str(&j, "inventory", inv->file);
		json_kv_str(&j, "kind", inv->kind == INV_OWN ? "relaydeck" : "ansible");
		json_key(&j, "hosts");
		json_arr_begin(&j);
	} else {
		printf("inventory %s (%s)\n", inv->file, inv->kind == INV_OWN ? "relaydeck" : "ansible");
	}
	for (size_t i = 0; i < inv->n_hosts; i++) {
		const struct inv_host *ih = &inv->hosts[i];
		struct sshhost h;
		struct err e;

		err_clear(&e);
		if (o->json) {
			json_obj_begin(&j);
			json_kv_str(&j, "name", ih->name);
			json_key(&j, "groups");
			json_arr_begin(&j);
			for (size_t g = 0; g < ih->n_groups; g++)
				json_str(&j, ih->groups[g]);
			json_arr_end(&j);
		}
		if (resolve(o, inv, ih->name, &h, &e) < 0) {
			char line[1024];

			failed = 1;
			if (o->json)
				json_kv_str(&j, "error", err_format(&e, line, sizeof(line)));
			else
				printf("%s\n  error    %s\n", ih->name, err_format(&e, line, sizeof(line)));
		} else {
			if (o->json)
				json_host(&j, o, inv, ih, &h);
			else
				text_host(o, inv, ih, &h);
			sshhost_free(&h);
		}
		if (o->json)
			json_obj_end(&j);
	}
	if (o->json) {
		json_arr_end(&j);
		json_key(&j, "groups");
		json_arr_begin(&j);
	} else if (inv->n_groups) {
		printf("groups\n");
	}
	for (size_t g = 0; g < inv->n_groups; g++) {
		const struct inv_group *ig = &inv->groups[g];
		const struct inv_host **all = NULL;
		size_t n = 0;

		if (inventory_group_hosts(inv, ig->name, &all, &n, &c->e) < 0) {
			failed = 1;
			continue;
		}
		if (o->json) {
			json_obj_begin(&j);
			json_kv_str(&j, "name", ig->name);
			json_key(&j, "hosts");
			json_arr_begin(&j);
			for (size_t k = 0; k < ig->n_hosts; k++)
				json_str(&j, ig->hosts[k]);
			json_arr_end(&j);
			json_key(&j, "children");
			json_arr_begin(&j);
			for (size_t k = 0; k < ig->n_children; k++)
				json_str(&j, ig->children[k]);
			json_arr_end(&j);
			json_key(&j, "all_hosts");
			json_arr_begin(&j);
			for (size_t k = 0; k < n; k++)
				json_str(&j, all[k]->name);
			json_arr_end(&j);
			json_obj_end(&j);
		} else {
			printf("  %s:", ig->name);
			for (size_t k = 0; k < n; k++)
				printf(" %s", all[k]->name);
			if (ig->n_children) {
				printf("  (children:");
				for (size_t k = 0; k < ig->n_children; k++)
					printf(" %s", ig->children[k]);
				printf(")");
			}
			printf("\n");
		}
		free(all);
	}
	if (o->json) {
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", b.data);
	}
	buf_free(&b);
	inventory_free(inv);
	return failed ? EXIT_FAILED : EXIT_OK;
}
