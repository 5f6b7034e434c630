/*
 * fuzz_maps - libFuzzer target for the lookup-table parser.
 *
 * The first input byte picks the table type; the rest is the source.
 * Whatever parses must serialize back to the exact input; then an entry
 * set (key and value from the input, when they validate) must read back
 * through maps_get, the edited bytes must parse again with the same entry
 * count, and removing the key must leave none. Any violation aborts.
 * Build with tests/fuzz/build.sh.
 *
 * FUZZ_LIBS: -lcrypto
 * FUZZ_SEEDS: tests/data/maps
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = { "hash", "texthash", "regexp", "pcre", "cidr", "lmdb" };

/* LLVMFuzzerTestOneInput - parse, round trip, edit, parse again. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type;
	struct maps *m, *m2;
	struct buf out = BUF_INIT, out2 = BUF_INIT;
	struct err e;
	char key[32], value[32];
	size_t n;

	if (size < 1)
		return 0;
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	data++;
	size--;
	err_clear(&e);
	m = maps_parse(type, "fuzz", (const char *)data, size, &e);
	if (m == NULL)
		return 0;
	if (maps_serialize(m, &out) < 0 || out.len != size ||
	    (size && memcmp(out.data, data, size) != 0))
		abort();
	/* key and value from the input: printable, no blanks */
	n = size < 8 ? size : 8;
	for (size_t i = 0; i < n; i++) {
		key[i] = (char)('a' + data[i] % 26);
		value[i] = (char)('A' + data[size - 1 - i] % 26);
	}
	key[n] = value[n] = '\0';
	if (strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0) {
		snprintf(key, sizeof(key), "/^%.8s/", value);
	} else if (strcmp(type, "cidr") == 0) {
		snprintf(key, sizeof(key), "10.%u.0.0/16", n ? (unsigned)data[0] : 0u);
	}
	if (n > 0 && maps_set(m, key, value, &e) == 0) {
		size_t count = maps_count(m);

		if (maps_get(m, key) == NULL || strcmp(maps_get(m, key), value) != 0)
			abort();
		if (maps_serialize(m, &out2) < 0)
			abort();
		m2 = maps_parse(type, "fuzz", out2.data, out2.len, &e);
		if (m2 == NULL || maps_count(m2) != count)
			abort();
		maps_free(m2);
		if (maps_remove(m, key, &e) < 0 || maps_get(m, key) != NULL)
			abort();
	}
	buf_free(&out);
	buf_free(&out2);
	maps_free(m);
	return 0;
}
