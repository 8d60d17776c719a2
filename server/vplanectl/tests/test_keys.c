// SPDX-License-Identifier: MIT
/* vplanectl's key names, chords and US-layout text (keys.h). */
#include <stdio.h>

#include <linux/input-event-codes.h>

#include "check.h"
#include "keys.h"

static void test_names(void)
{
	uint16_t code = 0;

	CHECK(vpctl_key_from_name("a", &code) && code == KEY_A);
	CHECK(vpctl_key_from_name("F2", &code) && code == KEY_F2);
	CHECK(vpctl_key_from_name("KEY_ENTER", &code) && code == KEY_ENTER);
	CHECK(vpctl_key_from_name("ctrl", &code) && code == KEY_LEFTCTRL);
	CHECK(vpctl_key_from_name("altgr", &code) && code == KEY_RIGHTALT);
	CHECK(vpctl_key_from_name("micmute", &code) && code == KEY_MICMUTE);
	CHECK(vpctl_key_from_name("1", &code) && code == KEY_1);
	/* past the keyboard's range, or no key at all */
	CHECK(!vpctl_key_from_name("kbdinputassist_prev", &code));
	CHECK(!vpctl_key_from_name("reserved", &code));
	CHECK(!vpctl_key_from_name("", &code));
	CHECK(!vpctl_key_from_name("nosuchkey", &code));
}

static void test_chords(void)
{
	uint16_t codes[VPCTL_CHORD_MAX];
	size_t n;

	CHECK(vpctl_parse_chord("ctrl+alt+f2", codes, &n) && n == 3 &&
	      codes[0] == KEY_LEFTCTRL && codes[1] == KEY_LEFTALT &&
	      codes[2] == KEY_F2);
	CHECK(vpctl_parse_chord("enter", codes, &n) && n == 1 &&
	      codes[0] == KEY_ENTER);
	CHECK(!vpctl_parse_chord("", codes, &n));
	CHECK(!vpctl_parse_chord("ctrl+", codes, &n));
	CHECK(!vpctl_parse_chord("+a", codes, &n));
	CHECK(!vpctl_parse_chord("ctrl++", codes, &n));
	CHECK(!vpctl_parse_chord("ctrl+bogus", codes, &n));
	CHECK(!vpctl_parse_chord("a+a+a+a+a+a+a+a+a", codes, &n));
	CHECK(vpctl_parse_chord("a+a+a+a+a+a+a+a", codes, &n) && n == 8);
}

static void test_text(void)
{
	uint16_t code;
	bool shift;
	int c, typed = 0;

	CHECK(vpctl_key_for_char('a', &code, &shift) && code == KEY_A &&
	      !shift);
	CHECK(vpctl_key_for_char('Z', &code, &shift) && code == KEY_Z && shift);
	CHECK(vpctl_key_for_char('!', &code, &shift) && code == KEY_1 && shift);
	CHECK(vpctl_key_for_char('~', &code, &shift) && code == KEY_GRAVE &&
	      shift);
	CHECK(vpctl_key_for_char(' ', &code, &shift) && code == KEY_SPACE &&
	      !shift);
	CHECK(vpctl_key_for_char('\n', &code, &shift) && code == KEY_ENTER);
	CHECK(vpctl_key_for_char('"', &code, &shift) &&
	      code == KEY_APOSTROPHE && shift);
	/* every printable ASCII character has a key, nothing else */
	for (c = 0x20; c < 0x7f; c++)
		typed += vpctl_key_for_char((char)c, &code, &shift);
	CHECK(typed == 0x7f - 0x20);
	CHECK(!vpctl_key_for_char('\0', &code, &shift));
	CHECK(!vpctl_key_for_char('\x7f', &code, &shift));
	CHECK(!vpctl_key_for_char('\r', &code, &shift));
	CHECK(!vpctl_key_for_char((char)0xe9, &code, &shift));
}

int main(void)
{
	test_names();
	test_chords();
	test_text();
	return check_result("test-vplanectl-keys");
}
