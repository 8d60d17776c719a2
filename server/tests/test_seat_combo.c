// SPDX-License-Identifier: MIT
/*
 * The kiosk's reserved key combinations (seat_combo.c): what parses, what
 * is refused (no modifier, no key, unknown names, a modifier twice), and
 * that a match needs exactly the combination's modifiers, lock
 * modifiers aside.
 */
#include <wlr/types/wlr_keyboard.h>

#include "../libvplane/tests/check.h"
#include "seat_combo.h"

int main(void)
{
	const uint32_t cas =
		WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT | WLR_MODIFIER_SHIFT;
	struct vpd_seat_combo c = { 0 }, before;

	CHECK(vpd_seat_combo_parse(VPD_SEAT_RELEASE_DEFAULT, &c));
	CHECK(c.mods == cas && c.keysym == XKB_KEY_Escape);
	CHECK(vpd_seat_combo_parse(VPD_SEAT_NEXT_DEFAULT, &c));
	CHECK(c.mods == cas && c.keysym == XKB_KEY_n);
	CHECK(vpd_seat_combo_parse("Control+SUPER+F12", &c));
	CHECK(c.mods == (WLR_MODIFIER_CTRL | WLR_MODIFIER_LOGO) &&
	      c.keysym == XKB_KEY_F12);

	before = c;
	CHECK(!vpd_seat_combo_parse("Escape", &c));	    /* no modifier */
	CHECK(!vpd_seat_combo_parse("ctrl+alt", &c));	    /* no key */
	CHECK(!vpd_seat_combo_parse("ctrl+alt+", &c));	    /* no key */
	CHECK(!vpd_seat_combo_parse("ctrl+hyper+x", &c));   /* unknown */
	CHECK(!vpd_seat_combo_parse("ctrl+NoSuchKey", &c)); /* unknown */
	CHECK(!vpd_seat_combo_parse("ctrl+ctrl+x", &c));    /* twice */
	CHECK(!vpd_seat_combo_parse("", &c));
	CHECK(c.mods == before.mods && c.keysym == before.keysym);

	CHECK(vpd_seat_combo_parse("ctrl+alt+shift+Escape", &c));
	CHECK(vpd_seat_combo_matches(&c, cas, XKB_KEY_Escape));
	/* caps lock and num lock on do not matter */
	CHECK(vpd_seat_combo_matches(
		&c, cas | WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2,
		XKB_KEY_Escape));
	/* fewer or more modifiers, or another key: not the combination */
	CHECK(!vpd_seat_combo_matches(&c, cas & ~WLR_MODIFIER_SHIFT,
				      XKB_KEY_Escape));
	CHECK(!vpd_seat_combo_matches(&c, cas | WLR_MODIFIER_LOGO,
				      XKB_KEY_Escape));
	CHECK(!vpd_seat_combo_matches(&c, cas, XKB_KEY_Tab));
	return check_result("server-seat-combo");
}
