// Letters and digits that are drawn like a Latin letter or digit, with the Latin reading they are matched in: Latin ones
// outside ASCII (U+0251, the small capitals) and those of other scripts (U+0430 Cyrillic a, U+039F Greek O, U+13A2
// Cherokee T). Generated once from Unicode's confusables.txt, UTS #39 (Unicode Security Mechanisms) version 17.0.0 of
// 2025-07-22: each entry whose source is one letter or number outside ASCII that NFKD leaves whole, and no decimal digit
// (descriptor.ts reads those as their value), and whose prototype, after NFKD, is one or two ASCII letters or digits,
// lowercased. The Latin small capitals, which UTS #39 keeps as
// prototypes of their own (Cyrillic small te is drawn like small capital T), and kra (U+0138) are read as their letter,
// as prototypes and as sources. ASCII is left out (UTS #39 reads m as rn and 0 as O; descriptor.ts reads digits
// itself), and so are marks, symbols and punctuation, so that the table never moves a word boundary. To take a newer
// version, apply the same filter to its confusables.txt. One line per reading: the reading, then the code points (hex).
const TABLE = `
2 01A7 03E8 14BF A644 A6EF A75A
3 01B7 021C 0417 04E0 2C9C 2CC4 2CCC A76A A7AB 118CA 16F3B
4 13CE 118AF
5 01BC 118BB
6 03EC 0431 13EE 2CD2 2CD3 2CDC 118D5
7 104D2 118C6
8 0222 0223 1031A 1E8CB
9 2CCA 2CCB A76E 118AC 118CC 118D6
a 0251 0391 03B1 0410 0430 13AA 15C5 1D00 A4EE AB7A 102A0 16F40
aa A732 A733
ae 00C6 00E6 04D4 04D5
ao A734 A735
au A736 A737
av A738 A739 A73A A73B
ay A73C A73D
b 0184 0299 0392 0412 042C 0432 13CF 13F4 13FC 1472 15AF 15F7 2C82 2C83 A4D0 A7B4 10282 102A1 10301 16EB6
bl 042B
c 0421 0441 1004 105A 13DF 1D04 2CA4 2CA5 A4DA ABAF 102A2 10302 10415 1043D 1051C 118F2
d 0501 13A0 13E7 146F 15DE 15EA 1D05 A4D2 A4D3 AB70
dz 02A3
e 0395 0415 0435 04BD 13AC 1D07 2D39 A4F0 AB32 AB7C 10286 118A6 118AE
f 0192 03DC 0584 15B4 1E9D A4DD A730 A798 A799 AB35 10287 102A5 10525 118A2 118C2
g 018D 0261 0262 050C 050D 0581 13C0 13F3 13FB 1D83 A4D6 AB90
h 029C 0397 041D 043D 04BB 0570 13BB 13C2 157C 2C8E 2C8F A4E7 AB8B 102CF
i 0131 0269 026A 03B9 0456 0582 13A5 2C93 A647 AB75 118C3
j 037F 03F3 0408 0458 13AB 148D 1D0A A4D9 A7B2 AB7B
k 0138 039A 03BA 041A 043A 13E6 16D5 1D0B 2C94 2C95 A4D7 ABB6 10518
l 0196 01C0 029F 0399 0406 04C0 04CF 05D5 05DF 0627 07CA 13DE 14AA 16C1 2C92 2CD0 2CD1 2D4F A4E1 A4F2 ABAE 1028A 10309 10320 1041B 10443 10526 118A3 118B2 11DDA 16EAA 16F16 16F28 1E8C7
ll 01C1 05F0
lo 042E
ls 02AA
lz 02AB
m 039C 03FA 041C 13B7 15F0 16D6 1D0D 2C98 A4DF 102B0 10311
n 0274 039D 0578 057C 2C9A 2C9B A4E0 10513
o 039F 03BF 03C3 03ED 041E 043E 0555 0585 05E1 0647 06BE 06C1 06D5 0B20 0D20 101D 10FF 12D0 1D0F 1D11 2C9E 2C9F 2D54 3007 A4F3 AB3D 10292 102AB 10404 1042C 104C2 104EA 10516 118B5 118C8 118D7
oe 0152 0153 0276
oo A698 A699 A74E A74F
p 00FE 01BF 03A1 03C1 03F8 0420 0440 13E2 146D 1D18 1D29 2CA2 2CA3 2CCE 2CCF A4D1 ABB2 10295
q 051B 0563 0566 2D55 A7AF
r 01A6 0280 0433 13A1 13D2 1587 1D26 2C85 A4E3 AB47 AB48 AB71 AB81 ABA2 104B4 16F35
rn 11700
s 01BD 0405 0455 054F 0D1F 13D5 13DA A4E2 A731 ABAA 10296 10420 10448 118C1 16F3A
t 03A4 03C4 0422 0442 13A2 1D1B 2CA6 2CA7 A4D4 AB72 10297 102B1 10315 118BC 16F0A
t3 A728
tf A777
ts 02A6
u 028B 03C5 054D 057D 1200 144C 1D1C A4F4 A79F AB4E AB52 104CE 104F6 118B8 118D8 16F42
ue 1D6B
uo AB63
v 03BD 0474 0475 05D8 13D9 142F 1D20 2D38 A4E6 A6DF ABA9 1051D 11706 118A0 118C0 16F08
w 026F 0448 0461 051C 051D 0561 13B3 13D4 1D21 2CBD A4EA AB83 1170A 1170E 1170F 118EF
x 03A7 0425 0445 1541 157D 16B7 2CAC 2D5D A4EB A7B3 10290 102B4 10317 10322 10527 118EC
y 0263 028F 03A5 03B3 0423 0443 04AE 04AF 10E7 13A9 13BD 1D8C 1EFF 2CA8 2CA9 A4EC AB5A 102B2 118A4 118DC 16F43
z 0396 13C3 1D22 A4DC AB93 102F5 118A9 118C4
`;

// Latin letters with a hook, bar, stroke, tail or the like, which NFKD leaves whole and UTS #39 gives no Latin
// prototype (T with hook, O with stroke, H with descender): read as the letter they are built on. Generated once from
// the names in the Unicode Character Database 14.0.0 (as Python's unicodedata has it): every LATIN CAPITAL or SMALL
// LETTER X WITH ... that NFKD leaves whole and TABLE does not hold, read as x. Same layout as TABLE.
const VARIANTS = `
a 023A 1D8F 2C65
b 0180 0181 0182 0183 0243 0253 1D6C 1D80 A796 A797
c 0187 0188 023B 023C 0255 A792 A793 A794 A7C4 1DF1D
d 0110 0111 018A 018B 018C 0221 0256 0257 1D6D 1D81 1D91 A7C7 A7C8
e 0246 0247 1D92 2C78 AB34
f 0191 1D6E 1D82
g 0193 01E4 01E5 0260 A7A0 A7A1
h 0126 0127 0266 2C67 2C68 A795 A7AA
i 0197 0268 1D96 1DF1A
j 0248 0249 029D
k 0198 0199 1D84 2C69 2C6A A740 A741 A742 A743 A744 A745 A7A2 A7A3
l 0141 0142 019A 0234 023D 026B 026C 026D 1D85 2C60 2C61 2C62 A748 A749 A78E A7AD AB37 AB38 AB39 1DF11 1DF13
m 0271 1D6F 1D86 2C6E AB3A
n 019D 019E 0220 0235 0272 0273 1D70 1D87 A790 A791 A7A4 A7A5 AB3B
o 00D8 00F8 019F 2C7A A74A A74B A74C A74D 1DF1B
p 01A4 01A5 1D71 1D7D 1D88 2C63 A750 A751 A752 A753 A754 A755
q 024B 02A0 A756 A757 A758 A759
r 024C 024D 027C 027D 027E 1D72 1D73 1D89 2C64 A7A6 A7A7 AB49 1DF16
s 023F 0282 1D74 1D8A 2C7E A7A8 A7A9 A7C5 A7C9 A7CA 1DF1E
t 0166 0167 01AB 01AC 01AD 01AE 0236 023E 0288 1D75 2C66 1DF09
u 1D99 A7B8 A7B9
v 01B2 2C71 2C74 A75E A75F
w 2C72 2C73
x 1D8D AB56 AB57 AB58 AB59
y 01B3 01B4 024E 024F 1EFE
z 01B5 01B6 0224 0225 0240 0290 0291 1D76 1D8E 2C6B 2C6C 2C7F A7C6
`;

/** Each look-alike (one code point) and its Latin reading, in lower case. */
export const LOOK_ALIKES: ReadonlyMap<string, string> = new Map(
  `${TABLE}${VARIANTS}`
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      const [reading, ...points] = line.split(" ");
      return points.map((hex) => [String.fromCodePoint(parseInt(hex, 16)), reading!] as const);
    }),
);

// Default_Ignorable_Code_Point: zero-width space, joiners, soft hyphen, word joiner, BOM, bidi controls, variation
// selectors, Hangul fillers: drawn as nothing, so they neither split a word (TOK<ZWSP>ALPHA) nor join two; and marks
// (diacritics after NFKD), which leave the letter under them
export const INVISIBLE = /[\p{M}\p{Default_Ignorable_Code_Point}]+/gu;
// what UTS #39 reads as a hyphen-minus and a name may hold: hyphen, non-breaking hyphen, figure and en dash, small em
// dash, hyphen bullet, modifier letter minus, minus sign, heavy minus, Coptic Ⲻ (the Arabic full stop, also one, is
// no letter of a name)
const HYPHENS = /[\u2010-\u2013\ufe58\u2043\u02d7\u2212\u2796\u2cba]/gu;

/**
 * The Latin letters a text is drawn like, as UTS #39's skeleton does it but in lower case and for any script: NFKD,
 * marks and invisible characters dropped (shöp reads shop), each look-alike (LOOK_ALIKES) as its reading, a hyphen
 * look-alike as "-". ASCII is left as it is: UTS #39 would also read 1 as l and m as rn (see url.ts hostSkeleton).
 */
export function latinSkeleton(text: string): string {
  let out = "";
  for (const c of text.normalize("NFKD").replace(INVISIBLE, "").replace(HYPHENS, "-")) out += LOOK_ALIKES.get(c) ?? c;
  return out.toLowerCase();
}
