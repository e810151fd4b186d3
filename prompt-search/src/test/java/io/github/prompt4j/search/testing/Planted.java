package io.github.prompt4j.search.testing;

import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * A planted sentiment problem on the {@link LinearBagModel} over the fake vocabulary (dimension 4).
 *
 * <p>Dimension 0 carries sentiment: positive words ({@code good fun happy}) have +1 there, negative words
 * ({@code bad sad awful}) -1; the label words {@code great} / {@code terrible} have output rows +-2 there. Dimension 2
 * is the planted trigger direction: only {@code plot} has input +3 there, and only the two label words have output +1
 * there, so {@code plot} as a trigger raises both label words above the 36 other tokens and lowers every example's
 * loss. Every other embedding entry is a small deterministic value {@code 0.05 sin(...)}.
 */
public final class Planted {

    public static final int DIM = 4;

    private Planted() {
    }

    public static LinearBagModel model() {
        int v = FakeTokenizer.VOCABULARY.size();
        float[][] in = new float[v][DIM];
        float[][] out = new float[v][DIM];
        for (int t = 0; t < v; t++) {
            for (int j = 0; j < DIM; j++) {
                in[t][j] = (float) (0.05 * Math.sin(3.0 * t + 7.0 * j + 1));
                out[t][j] = (float) (0.05 * Math.cos(5.0 * t + 3.0 * j));
            }
        }
        for (String w : List.of("good", "fun", "happy")) {
            in[FakeTokenizer.id(w)][0] = 1f;
        }
        for (String w : List.of("bad", "sad", "awful")) {
            in[FakeTokenizer.id(w)][0] = -1f;
        }
        in[FakeTokenizer.id("plot")][2] = 3f;
        for (int t = 0; t < v; t++) {
            out[t][2] = 0f;
        }
        out[FakeTokenizer.id("great")][0] = 2f;
        out[FakeTokenizer.id("great")][2] = 1f;
        out[FakeTokenizer.id("terrible")][0] = -2f;
        out[FakeTokenizer.id("terrible")][2] = 1f;
        return new LinearBagModel(in, out, new float[v]);
    }

    public static Verbalizer verbalizer() {
        return Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();
    }

    /** Sentences mixing one to three sentiment words with filler words; label by the majority sign. */
    public static List<Example> examples(int count, int offset) {
        String[] pos = {"good", "fun", "happy"};
        String[] neg = {"bad", "sad", "awful"};
        String[] filler = {"the movie", "a film", "it was", "the story is", "i felt very"};
        List<Example> out = new ArrayList<>();
        for (int i = offset; i < offset + count; i++) {
            boolean positive = i % 2 == 0;
            String[] words = positive ? pos : neg;
            String text = filler[i % filler.length] + " " + words[i % 3] + (i % 3 == 0 ? " and " + words[(i + 1) % 3]
                    : "");
            out.add(Example.of("sentence", text, positive ? "positive" : "negative"));
        }
        return out;
    }
}
