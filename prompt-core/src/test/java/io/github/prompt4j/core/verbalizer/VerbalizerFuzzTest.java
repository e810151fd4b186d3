package io.github.prompt4j.core.verbalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.testing.FuzzContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the {@link Verbalizer.Builder} and {@link Verbalizer#resolve}. Input: lines of {@code label<TAB>word<TAB>...}
 * (a line {@code !POLICY} sets the multi-token policy by name). Contract: every builder call either succeeds or throws
 * {@link IllegalArgumentException} with a message and leaves the builder as it was (no partial state: the built
 * verbalizer equals one built from the accepted lines alone); {@code build} and {@code resolve} either succeed or throw
 * {@link IllegalArgumentException} with a message, and every resolved word has at least one piece, none of them
 * special.
 */
class VerbalizerFuzzTest {

    private static final FakeTokenizer TOKENIZER = new FakeTokenizer();

    @FuzzTest(maxDuration = "1m")
    void buildAndResolve(byte[] data) {
        Verbalizer.Builder builder = Verbalizer.builder();
        Verbalizer.Builder reference = Verbalizer.builder();
        List<String[]> accepted = new ArrayList<>();
        for (String line : FuzzContract.text(data).split("\n", -1)) {
            if (line.startsWith("!")) {
                MultiTokenPolicy policy = Arrays.stream(MultiTokenPolicy.values())
                        .filter(p -> p.name().equals(line.substring(1))).findFirst().orElse(MultiTokenPolicy.MEAN);
                builder.policy(policy);
                reference.policy(policy);
                continue;
            }
            String[] cells = line.split("\t", -1);
            String label = cells[0];
            String[] words = Arrays.copyOfRange(cells, 1, cells.length);
            if (FuzzContract.holds(() -> builder.add(label, words), IllegalArgumentException.class)) {
                accepted.add(cells);
                reference.add(label, words);
            }
        }
        Verbalizer[] built = new Verbalizer[1];
        if (!FuzzContract.holds(() -> built[0] = builder.build(), IllegalArgumentException.class)) {
            return;
        }
        Verbalizer v = built[0];
        assertEquals(reference.build().words(), v.words(), "a rejected add(...) left nothing behind");
        assertEquals(accepted.size(), v.classCount());
        FuzzContract.holds(() -> {
            for (LabelWord w : v.resolve(TOKENIZER)) {
                assertFalse(w.pieces().isEmpty(), w.toString());
            }
        }, IllegalArgumentException.class);
    }
}
