/*
 * fuzz_theme - libFuzzer target for the theme loader (YAML from disk).
 *
 * Any input must either load or fail with a message that names the file;
 * on failure the theme must be the built-in one, and every colour that a
 * loaded theme holds must be in range. Any violation aborts.
 *
 * FUZZ_LIBS: -lyaml -lcrypto
 * FUZZ_SEEDS: themes
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme th, builtin;
	struct err e;

	err_clear(&e);
	theme_builtin(&builtin);
	if (theme_load_mem(&th, "fuzz.yaml", (const char *)data, size, &e) < 0) {
		if (strstr(e.msg, "fuzz.yaml") == NULL)
			abort();
		if (memcmp(th.role, builtin.role, sizeof(th.role)) != 0)
			abort();
		return 0;
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (th.role[r].fg < THEME_COLOR_DEFAULT || th.role[r].fg > 255 ||
		    th.role[r].bg < THEME_COLOR_DEFAULT || th.role[r].bg > 255)
			abort();
	}
	return 0;
}
