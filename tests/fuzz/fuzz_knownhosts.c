/*
 * fuzz_knownhosts - libFuzzer target for OpenSSH known_hosts files as
 * remote/knownhosts.c reads them.
 *
 * The input's first line names the host (with a port picked by its
 * length); the rest is the known_hosts file. A lookup of a fixed
 * ed25519 key must answer with a status it knows and NUL-terminated
 * texts, pointing at a line the file has; the types list must be
 * NUL-terminated; the first line as a pattern list must match or not
 * without crashing. Then the key added for a plain host name (hashed or
 * not, as the first byte says) to an empty file must be found there again
 * (KH_MATCH). Any violation aborts. Build with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_tmpdir.h"
#include "knownhosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the wire blob of an ed25519 key: string "ssh-ed25519", string 32 bytes;
 * base64 AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g */
static const unsigned char blob[] = {
	0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
	0, 0, 0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
};

static char *file_path, *added_path, *added_old;

/* count_lines - lines in data[0..size) (a last one without newline counted). */
static int count_lines(const uint8_t *data, size_t size)
{
	int n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

/* LLVMFuzzerTestOneInput - look up, list types, match, add and find. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t hlen = nl ? (size_t)(nl - data) : size;
	char host[128], name[160], types[256];
	const char *files[1];
	struct kh_result r;
	struct err e;
	size_t i, k;

	if (file_path == NULL) {
		file_path = fuzz_path("known_hosts");
		added_path = fuzz_path("added");
		added_old = fuzz_path("added.old");
	}
	if (hlen >= sizeof(host))
		hlen = sizeof(host) - 1;
	memcpy(host, data, hlen);
	host[hlen] = '\0';
	knownhosts_host_name(host, hlen % 3 == 0 ? 22 : 2200 + (int)hlen, name, sizeof(name));
	fuzz_write_file(file_path, nl ? nl + 1 : data + size,
			nl ? size - (size_t)(nl + 1 - data) : 0);
	files[0] = file_path;

	if (knownhosts_check(files, 1, name, blob, sizeof(blob), &r, &e) < 0)
		abort();
	if (r.status > KH_REVOKED || memchr(r.file, '\0', sizeof(r.file)) == NULL ||
	    memchr(r.other_types, '\0', sizeof(r.other_types)) == NULL ||
	    memchr(r.other_file, '\0', sizeof(r.other_file)) == NULL ||
	    r.line < 0 || r.line > count_lines(data, size) ||
	    (r.status != KH_UNKNOWN && r.status != KH_REVOKED && r.line == 0))
		abort();
	memset(types, 'x', sizeof(types));
	knownhosts_types(files, 1, name, types, sizeof(types));
	if (memchr(types, '\0', sizeof(types)) == NULL)
		abort();
	(void)knownhosts_match_hostname(name, host);
	(void)knownhosts_match_hostname(host, name);

	/* add for a host name made of the first line's letters and digits */
	for (i = k = 0; i < hlen && k < 40; i++)
		if ((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= '0' && host[i] <= '9') ||
		    host[i] == '.' || host[i] == '-')
			host[k++] = host[i];
	host[k] = '\0';
	if (k == 0)
		return 0;
	knownhosts_host_name(host, hlen % 3 == 0 ? 22 : 2200 + (int)hlen, name, sizeof(name));
	unlink(added_path);
	unlink(added_old);
	if (knownhosts_add(added_path, name, blob, sizeof(blob), size > 0 && (data[0] & 1), &e) < 0)
		abort();
	files[0] = added_path;
	if (knownhosts_check(files, 1, name, blob, sizeof(blob), &r, &e) < 0 ||
	    r.status != KH_MATCH || r.line != 1)
		abort();
	return 0;
}
