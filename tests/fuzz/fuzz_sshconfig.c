/*
 * fuzz_sshconfig - libFuzzer target for the ssh_config reader
 * (remote/sshconfig.c): the input is one config file, resolved for a few
 * host names (Include is off: no other file is read).
 *
 * Any input must either resolve or fail with ERR_PARSE/ERR_LIMIT naming
 * the file and a line within it. A resolved config must hold a non-empty
 * host name without upper-case letters, a port in 1..65535, a user, at
 * most SSHCFG_MAX_FILES files per list, and a ProxyJump list whose hops
 * all split or fail cleanly. Any violation aborts.
 *
 * FUZZ_LIBS: -lcrypto
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "relay1", "Relay.Example.COM", "10.0.0.1" };
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (size_t k = 0; k < sizeof(hosts) / sizeof(hosts[0]); k++) {
		struct sshcfg_in in = { 0 };
		struct sshcfg c;
		struct err e;

		in.host = hosts[k];
		in.config = "fuzz.conf";
		in.text = (const char *)data;
		in.text_len = size;
		in.no_include = 1;
		err_clear(&e);
		if (sshcfg_resolve(&in, &c, &e) < 0) {
			if (e.code != ERR_PARSE && e.code != ERR_LIMIT && e.code != ERR_NOMEM)
				abort();
			if (e.code == ERR_PARSE && strcmp(e.file, "fuzz.conf") != 0)
				abort();
			if ((size_t)e.line > lines)
				abort();
			continue;
		}
		if (c.hostname == NULL || c.user == NULL || c.port < 1 || c.port > 65535)
			abort();
		for (const char *p = c.hostname; *p; p++)
			if (isupper((unsigned char)*p))
				abort();
		if (c.n_identity > SSHCFG_MAX_FILES || c.n_user_kh > SSHCFG_MAX_FILES ||
		    c.n_global_kh > SSHCFG_MAX_FILES)
			abort();
		if (c.proxy_jump) {
			const char *l = c.proxy_jump;
			char *u, *h;
			int port, r, n = 0;

			while ((r = sshcfg_jump_next(&l, &u, &h, &port, &e)) == 0) {
				if (h == NULL || port < 0 || port > 65535 || ++n > 100000)
					abort();
				free(u);
				free(h);
			}
		}
		sshcfg_free(&c);
	}
	return 0;
}
