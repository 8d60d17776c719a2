/* SPDX-License-Identifier: MIT */
/*
 * The seat's reserved key combinations (seat.h): modifiers plus one key,
 * written "ctrl+alt+shift+Escape". Modifier names: shift, ctrl (control),
 * alt, super (logo); any case. The key is an xkb keysym name as the
 * keymap's first level has it (the unshifted symbol: "Tab", not
 * "ISO_Left_Tab"; "n", not "N"), so a combination means the same key
 * whatever modifiers are held.
 */
#ifndef VPD_SEAT_COMBO_H
#define VPD_SEAT_COMBO_H

#include <stdbool.h>
#include <stdint.h>

#include <xkbcommon/xkbcommon.h>

/* The defaults: three modifiers no guest shortcut needs together. */
#define VPD_SEAT_RELEASE_DEFAULT "ctrl+alt+shift+Escape"
#define VPD_SEAT_NEXT_DEFAULT	 "ctrl+alt+shift+n"

struct vpd_seat_combo {
	uint32_t mods; /* WLR_MODIFIER_* bits that must all be down */
	xkb_keysym_t keysym;
};

/*
 * Parse @text into @combo. False (with @combo untouched) if it is not a
 * combination: an unknown modifier or keysym, no key, or no modifier at
 * all (a plain key would be lost to the VMs).
 */
bool vpd_seat_combo_parse(const char *text, struct vpd_seat_combo *combo);

/*
 * True if @keysym (the key's first-level symbol) pressed with @mods
 * (WLR_MODIFIER_* bits down now; caps lock and num lock are ignored) is
 * @combo: exactly its modifiers, no others.
 */
bool vpd_seat_combo_matches(const struct vpd_seat_combo *combo, uint32_t mods,
			    xkb_keysym_t keysym);

#endif /* VPD_SEAT_COMBO_H */
