// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wlr/types/wlr_keyboard.h>

#include "seat_combo.h"

/* Lock modifiers say nothing about what the person pressed. */
#define LOCK_MODS (WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2)

static uint32_t modifier_bit(const char *name)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{ "shift", WLR_MODIFIER_SHIFT },  { "ctrl", WLR_MODIFIER_CTRL },
		{ "control", WLR_MODIFIER_CTRL }, { "alt", WLR_MODIFIER_ALT },
		{ "super", WLR_MODIFIER_LOGO },	  { "logo", WLR_MODIFIER_LOGO },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(name, names[i].name))
			return names[i].bit;
	}
	return 0;
}

bool vpd_seat_combo_parse(const char *text, struct vpd_seat_combo *combo)
{
	struct vpd_seat_combo parsed = { 0 };
	char *copy = strdup(text), *word, *save = NULL, *next;
	bool ok = false;

	if (!copy)
		return false;
	for (word = strtok_r(copy, "+", &save); word; word = next) {
		uint32_t bit;

		next = strtok_r(NULL, "+", &save);
		if (next) {
			bit = modifier_bit(word);
			if (!bit || parsed.mods & bit)
				goto out;
			parsed.mods |= bit;
			continue;
		}
		/* the last word: a key, not a modifier ("ctrl+alt") */
		if (!modifier_bit(word))
			parsed.keysym =
				xkb_keysym_from_name(word, XKB_KEYSYM_NO_FLAGS);
	}
	ok = parsed.mods && parsed.keysym != XKB_KEY_NoSymbol;
	if (ok)
		*combo = parsed;
out:
	free(copy);
	return ok;
}

bool vpd_seat_combo_matches(const struct vpd_seat_combo *combo, uint32_t mods,
			    xkb_keysym_t keysym)
{
	return keysym == combo->keysym && (mods & ~LOCK_MODS) == combo->mods;
}
