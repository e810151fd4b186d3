package io.github.prompt4j.onnx.internal.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.onnx.internal.tokenizer.BertTokenizerJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** A hand-made vocabulary whose ids are the list positions, so every expected id below is read off the list. */
class DjlTokenizerTest {

    private static final List<String> VOCAB = List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", // 0-4
            "hello", "world", "cafe", ",", "!", // 5-9
            ".", "中", "文", "un", "##aff", // 10-14
            "##able", "a", "##a", "##aa", "ok", // 15-19
            "😀", "[", "]", "mask", "he", // 20-24
            "café"); // 25

    private static final int PAD = 0;
    private static final int UNK = 1;
    private static final int CLS = 2;
    private static final int SEP = 3;
    private static final int MASK = 4;
    private static final int HELLO = 5;
    private static final int WORLD = 6;
    private static final int CAFE = 7;
    private static final int COMMA = 8;
    private static final int BANG = 9;
    private static final int DOT = 10;
    private static final int ZHONG = 11;
    private static final int WEN = 12;
    private static final int UN = 13;
    private static final int AFF = 14;
    private static final int ABLE = 15;
    private static final int A = 16;
    private static final int CONT_A = 17;
    private static final int CONT_AA = 18;
    private static final int OK = 19;
    private static final int GRIN = 20;
    private static final int OPEN = 21;
    private static final int CLOSE = 22;
    private static final int MASK_WORD = 23;
    private static final int HE = 24;
    private static final int CAFE_ACCENT = 25;

    private static DjlTokenizer uncased;
    private static DjlTokenizer cased;

    @BeforeAll
    static void load() {
        uncased = DjlTokenizer.fromJson(BertTokenizerJson.generate(VOCAB, true), 512, true);
        cased = DjlTokenizer.fromJson(BertTokenizerJson.generate(VOCAB, false), 512, false);
    }

    @AfterAll
    static void close() {
        uncased.close();
        cased.close();
    }

    private static void assertPieces(TokenEncoding encoding, int[] ids, int[] starts, int[] ends) {
        assertArrayEquals(ids, encoding.ids(), "ids");
        assertArrayEquals(starts, encoding.starts(), "starts");
        assertArrayEquals(ends, encoding.ends(), "ends");
    }

    @Test
    void uncasedLowerCasesAndStripsAccents() {
        assertPieces(uncased.encode("Café"), new int[] {CAFE}, new int[] {0}, new int[] {4});
        assertPieces(uncased.encode("CAFE\u0301"), new int[] {CAFE}, new int[] {0}, new int[] {4});
    }

    @Test
    void casedKeepsCaseAndAccents() {
        assertPieces(cased.encode("café Café cafe"), new int[] {CAFE_ACCENT, UNK, CAFE}, new int[] {0, 5, 10},
                new int[] {4, 9, 14});
    }

    @Test
    void punctuationIsSplitIntoSingleCharacters() {
        assertPieces(uncased.encode("Hello,world!!"), new int[] {HELLO, COMMA, WORLD, BANG, BANG},
                new int[] {0, 5, 6, 11, 12}, new int[] {5, 6, 11, 12, 13});
    }

    @Test
    void cjkIdeographsAreSplitPerCharacter() {
        assertPieces(uncased.encode("ok中文ok"), new int[] {OK, ZHONG, WEN, OK}, new int[] {0, 2, 3, 4},
                new int[] {2, 3, 4, 6});
    }

    @Test
    void wordPieceSplitsGreedilyAndUnknownWordsBecomeUnk() {
        assertPieces(uncased.encode("unaffable zzz"), new int[] {UN, AFF, ABLE, UNK}, new int[] {0, 2, 5, 10},
                new int[] {2, 5, 9, 13});
    }

    @Test
    void exactCaseMaskInTextEncodesToTheMaskId() {
        assertPieces(uncased.encode("hello [MASK]."), new int[] {HELLO, MASK, DOT}, new int[] {0, 6, 12},
                new int[] {5, 12, 13});
        // Only the exact spelling is special, even for an uncased model.
        assertPieces(uncased.encode("[mask]"), new int[] {OPEN, MASK_WORD, CLOSE}, new int[] {0, 1, 5},
                new int[] {1, 5, 6});
        assertArrayEquals(new int[] {MASK, MASK, A}, uncased.encode("[MASK][MASK]a").ids());
    }

    @Test
    void wordsOverOneHundredCharactersBecomeUnk() {
        // 100 characters: a + 49 x ##aa + ##a, greedy longest match first.
        int[] expected = new int[51];
        expected[0] = A;
        for (int i = 1; i <= 49; i++) {
            expected[i] = CONT_AA;
        }
        expected[50] = CONT_A;
        assertArrayEquals(expected, uncased.encode("a".repeat(100)).ids());
        assertPieces(uncased.encode("a".repeat(101)), new int[] {UNK}, new int[] {0}, new int[] {101});
    }

    @Test
    void offsetsAreUtf16IndicesAcrossEmojiAndAccents() {
        // h0 é1 _2 😀3-4 _5 w6 ö7 r8 l9 d10: the emoji is two UTF-16 units.
        assertPieces(uncased.encode("Hé 😀 wörld"), new int[] {HE, GRIN, WORLD}, new int[] {0, 3, 6},
                new int[] {2, 5, 11});
        // A word after an emoji that is not in the vocabulary.
        assertPieces(uncased.encode("🙂 ok"), new int[] {UNK, OK}, new int[] {0, 3}, new int[] {2, 5});
    }

    @Test
    void controlCharactersAreDeletedAndWhitespaceSeparates() {
        // h0 e1 l2 NUL3 l4 o5 BEL6 _7 w8 o9 r10 ESC11 l12 d13 DEL14 _15 FFFD16 o17 k18
        assertPieces(uncased.encode("hel\u0000lo\u0007 wor\u001bld\u007f \ufffdok"), new int[] {HELLO, WORLD, OK},
                new int[] {0, 8, 17}, new int[] {6, 14, 19});
        assertPieces(uncased.encode("hello\tworld\r\nok"), new int[] {HELLO, WORLD, OK}, new int[] {0, 6, 13},
                new int[] {5, 11, 15});
    }

    @Test
    void unpairedSurrogatesCarryNoText() {
        assertPieces(uncased.encode("hello \ud800 world\udc00"), new int[] {HELLO, WORLD}, new int[] {0, 8},
                new int[] {5, 13});
        assertEquals("a\uFFFDb\uD83D\uDE00", DjlTokenizer.replaceUnpairedSurrogates("a\uDE00b\uD83D\uDE00"));
    }

    @Test
    void emptyAndBlankTextsHaveNoPieces() {
        assertEquals(0, uncased.encode("").size());
        assertEquals(0, uncased.encode(" \t\n ").size());
    }

    @Test
    void tenThousandCharactersAreEncodedWithoutTruncation() {
        String text = "hello ".repeat(1666) + "ok!!";
        assertEquals(10_000, text.length());
        TokenEncoding encoding = uncased.encode(text);
        assertEquals(1669, encoding.size());
        for (int i = 0; i < 1666; i++) {
            assertEquals(HELLO, encoding.id(i));
            assertEquals(6 * i, encoding.starts()[i]);
            assertEquals(6 * i + 5, encoding.ends()[i]);
        }
        assertArrayEquals(new int[] {OK, BANG, BANG}, java.util.Arrays.copyOfRange(encoding.ids(), 1666, 1669));
        assertArrayEquals(new int[] {9996, 9998, 9999}, java.util.Arrays.copyOfRange(encoding.starts(), 1666, 1669));
        assertArrayEquals(new int[] {9998, 9999, 10_000}, java.util.Arrays.copyOfRange(encoding.ends(), 1666, 1669));
    }

    @Test
    void decodeJoinsContinuationsAndSkipsSpecialTokens() {
        assertEquals("unaffable, world!",
                uncased.decode(new int[] {CLS, UN, AFF, ABLE, COMMA, WORLD, UNK, BANG, SEP, PAD, MASK}));
        assertEquals("", uncased.decode(new int[0]));
    }

    @Test
    void framingAddsClsAndSep() {
        assertArrayEquals(new int[] {CLS, HELLO, WORLD, SEP}, uncased.frame(new int[] {HELLO, WORLD}));
        assertArrayEquals(new int[] {CLS, SEP}, uncased.frame(new int[0]));
        assertEquals(2, uncased.frameLength());
        assertEquals(1, uncased.frameOffset());
    }

    @Test
    void vocabularyLookupsFollowTheVocabularyOrder() {
        assertEquals(VOCAB.size(), uncased.vocabularySize());
        assertEquals(OptionalInt.of(AFF), uncased.tokenToId("##aff"));
        assertEquals(OptionalInt.empty(), uncased.tokenToId("aff"));
        assertEquals("café", uncased.idToToken(CAFE_ACCENT));
        assertEquals(new SpecialTokens(CLS, SEP, PAD, MASK, UNK), uncased.specialTokens());
        assertEquals(512, uncased.maxSequenceLength());
        assertTrue(uncased.lowerCases());
        assertThrows(IllegalArgumentException.class, () -> uncased.idToToken(VOCAB.size()));
        assertThrows(IllegalArgumentException.class, () -> uncased.idToToken(-1));
        assertThrows(IllegalArgumentException.class, () -> uncased.decode(new int[] {VOCAB.size()}));
        assertThrows(IllegalArgumentException.class, () -> uncased.encode(null));
    }

    @Test
    void concurrentEncodingGivesTheSameResultAsSequential() throws Exception {
        List<String> texts = List.of("Hé 😀 wörld", "unaffable, zzz!", "ok中文ok [MASK]", "a".repeat(60));
        List<TokenEncoding> expected = new ArrayList<>();
        for (String text : texts) {
            expected.add(uncased.encode(text));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int task = 0; task < 16; task++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < texts.size(); i++) {
                            if (!expected.get(i).equals(uncased.encode(texts.get(i)))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void closedTokenizerRefusesToEncodeOrDecode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, BertTokenizerJson.generate(VOCAB, true), StandardCharsets.UTF_8);
        DjlTokenizer tokenizer = DjlTokenizer.load(file, 128, true);
        assertArrayEquals(new int[] {HELLO}, tokenizer.encode("hello").ids());
        tokenizer.close();
        assertThrows(IllegalStateException.class, () -> tokenizer.encode("hello"));
        assertThrows(IllegalStateException.class, () -> tokenizer.decode(new int[] {HELLO}));
        tokenizer.close();
        assertEquals("hello", tokenizer.idToToken(HELLO));
    }

    @Test
    void rejectsATokenizerJsonThatDisagreesWithTheManifest() {
        String json = BertTokenizerJson.generate(VOCAB, true);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DjlTokenizer.fromJson(json, 512, false));
        assertTrue(e.getMessage().contains("lowercase=true"), e.getMessage());
        assertThrows(ModelLoadException.class, () -> DjlTokenizer.fromJson("{not json", 512, true));
        assertThrows(ModelLoadException.class, () -> DjlTokenizer.load(Path.of("/nonexistent/tokenizer.json"), 512,
                true));
        assertThrows(IllegalArgumentException.class, () -> DjlTokenizer.fromJson(json, 2, true));
    }

    @Test
    void rejectsAVocabularyWithGapsOrWithoutBertSpecialTokens() {
        String gap = "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[PAD]\":0,\"x\":5}}}";
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DjlTokenizer.fromJson(gap, 512, true));
        assertTrue(e.getMessage().contains("'x' to 5"), e.getMessage());
        String noMask = "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,"
                + "\"[SEP]\":3}}}";
        e = assertThrows(ModelLoadException.class, () -> DjlTokenizer.fromJson(noMask, 512, true));
        assertTrue(e.getMessage().contains("[MASK]"), e.getMessage());
        String bpe = "{\"model\":{\"type\":\"BPE\",\"vocab\":{}}}";
        assertThrows(ModelLoadException.class, () -> DjlTokenizer.fromJson(bpe, 512, true));
    }
}
