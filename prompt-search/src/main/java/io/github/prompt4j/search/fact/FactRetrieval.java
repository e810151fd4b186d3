package io.github.prompt4j.search.fact;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Single-token fact retrieval (LAMA, Petroni et al. 2019): the model ranks candidate object tokens at the mask of a
 * cloze template; the gold object is the example's label.
 *
 * <p>Stateless and thread-safe (the model is shared, not owned).
 */
public final class FactRetrieval {

    private FactRetrieval() {
    }

    /**
     * The vocabulary ids of candidate tokens (e.g. LAMA's common vocabulary), in the given order.
     *
     * @throws IllegalArgumentException naming up to five tokens that are not single vocabulary entries
     */
    public static int[] candidateIds(Tokenizer tokenizer, List<String> tokens) {
        int[] ids = new int[tokens.size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            OptionalInt id = tokenizer.tokenToId(tokens.get(i));
            if (id.isEmpty()) {
                missing.add(tokens.get(i));
            } else {
                ids[i] = id.getAsInt();
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(missing.size() + " candidate tokens are not in the model's vocabulary, "
                    + "e.g. " + missing.subList(0, Math.min(5, missing.size()))
                    + "; use a candidate vocabulary made for this tokenizer");
        }
        return ids;
    }

    /** Every id of the vocabulary, {@code 0 .. V-1}. */
    public static int[] wholeVocabulary(Tokenizer tokenizer) {
        int[] ids = new int[tokenizer.vocabularySize()];
        Arrays.setAll(ids, i -> i);
        return ids;
    }

    /**
     * The vocabulary id of a fact's gold object.
     *
     * @throws IllegalArgumentException if the object is not a single vocabulary token
     */
    public static int objectId(Tokenizer tokenizer, Example fact) {
        OptionalInt id = tokenizer.tokenToId(fact.label());
        if (id.isEmpty()) {
            throw new IllegalArgumentException("object '" + fact.label() + "' of fact " + fact.fields()
                    + " is not a single vocabulary token; keep only facts whose object is in the candidate "
                    + "vocabulary (the LAMA *.norm.tsv files mark them)");
        }
        return id.getAsInt();
    }

    /**
     * Ranks every fact's gold object among the candidates at the template's first mask.
     *
     * @param candidates candidate ids (see {@link #candidateIds}); every gold object must be among them
     * @param batchSize prompts per model call
     * @throws IllegalArgumentException for no facts, or a gold object outside the candidates
     */
    public static RankingMetrics evaluate(MaskedLanguageModel model, Template template, List<Example> facts,
            int[] candidates, int batchSize) {
        TemplateEncoder encoder = template.encoder(model.tokenizer());
        List<EncodedPrompt> prompts = new ArrayList<>(facts.size());
        for (Example f : facts) {
            prompts.add(encoder.encode(f.valuesFor(template)));
        }
        int[] golds = new int[facts.size()];
        for (int i = 0; i < golds.length; i++) {
            golds[i] = objectId(model.tokenizer(), facts.get(i));
        }
        return RankingMetrics.fromRanks(ranks(model, prompts, golds, candidates, batchSize));
    }

    /**
     * Ranks every fact's gold object among the candidates at the prompt's mask: a discrete prompt (literal words or
     * bound triggers) with forward passes, a continuous one with its vectors at the {@code [P]} positions.
     *
     * @param candidates candidate ids (see {@link #candidateIds}); every gold object must be among them
     * @param batchSize prompts per model call
     * @throws IllegalArgumentException for no facts, or a gold object outside the candidates
     */
    public static RankingMetrics evaluate(MaskedLanguageModel model, FactPrompt prompt, List<Example> facts,
            int[] candidates, int batchSize) {
        TemplateEncoder encoder = prompt.template().encoder(model.tokenizer());
        List<EncodedPrompt> prompts = new ArrayList<>(facts.size());
        int[] golds = new int[facts.size()];
        for (int i = 0; i < golds.length; i++) {
            prompts.add(encoder.encode(prompt.values(facts.get(i))));
            golds[i] = objectId(model.tokenizer(), facts.get(i));
        }
        if (prompt.softPrompt().isEmpty()) {
            return RankingMetrics.fromRanks(ranks(model, prompts, golds, candidates, batchSize));
        }
        SoftPrompt vectors = prompt.softPrompt().get();
        if (vectors.dim() != model.info().hiddenSize()) {
            throw new IllegalArgumentException("the vectors of " + prompt.relation() + " have " + vectors.dim()
                    + " values but model '" + model.info().name() + "' has hidden size " + model.info().hiddenSize());
        }
        List<SoftInput> inputs = prompts.stream().map(vectors::inputFor).toList();
        return RankingMetrics.fromRanks(ranks(model, inputs, batch -> model.softMaskLogits(batch, candidates), golds,
                candidates, batchSize));
    }

    /**
     * The 1-based rank of each prompt's gold id among the candidates at its first mask.
     *
     * @throws IllegalArgumentException if a gold id is not among the candidates
     */
    public static int[] ranks(MaskedLanguageModel model, List<EncodedPrompt> prompts, int[] goldIds,
            int[] candidates, int batchSize) {
        return ranks(model, prompts, batch -> model.maskLogits(batch, candidates), goldIds, candidates, batchSize);
    }

    /** The ranks of the gold ids at the first mask of inputs scored in batches by {@code score}. */
    static <P> int[] ranks(MaskedLanguageModel model, List<P> prompts, Function<List<P>, MaskLogits> score,
            int[] goldIds, int[] candidates, int batchSize) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no facts to evaluate");
        }
        Map<Integer, Integer> column = new HashMap<>();
        for (int c = 0; c < candidates.length; c++) {
            column.putIfAbsent(candidates[c], c);
        }
        int[] ranks = new int[prompts.size()];
        float[] row = new float[candidates.length];
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<P> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            MaskLogits logits = score.apply(batch);
            for (int p = 0; p < batch.size(); p++) {
                Integer gold = column.get(goldIds[from + p]);
                if (gold == null) {
                    throw new IllegalArgumentException("gold object '" + model.tokenizer().idToToken(goldIds[from + p])
                            + "' is not among the candidate tokens");
                }
                logits.logits().copyVector(p, 0, row, 0);
                ranks[from + p] = RankingMetrics.rank(row, gold);
            }
        }
        return ranks;
    }
}
