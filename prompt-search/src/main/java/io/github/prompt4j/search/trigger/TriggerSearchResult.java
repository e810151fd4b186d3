package io.github.prompt4j.search.trigger;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import io.github.prompt4j.search.protocol.Protocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The outcome of a trigger search: the best triggers by dev metric, the filled template, the label words, the
 * metrics, the settings, the model and the work it took; plus the final state, to extend the search later.
 *
 * <p>Metric names: classification {@code selection_accuracy}; fact retrieval {@code selection_p@1},
 * {@code selection_p@10}, {@code selection_mrr}; both {@code selection_loss} (mean label loss on the selection split)
 * and {@code train_loss} (the current triggers' loss on the last evaluation batch); plus any added by
 * {@link #withMetrics}, e.g. the accuracy on a reported file. Results saved before the selection split existed carry
 * {@code dev_*} names: they were selected on the dev data they report.
 *
 * <p>Immutable; serialises to JSON ({@link #toJson()}, {@link #fromJson(String)}). A result with a learned
 * {@link #head()} is written as {@value #FORMAT_WITH_HEAD}: the result's own JSON document wrapped with the head's
 * weights and biases as base64 little-endian float32, so a reloaded result gives identical predictions; a result
 * without a head is written as before.
 *
 * @param modelName the model's {@code info().name()}
 * @param template the template text with {@code [T]} slots
 * @param filledTemplate the template with each {@code [T]} replaced by its trigger token, for reading; a slot that
 *        still holds the mask token stays {@code [T]}
 * @param triggerIds the best triggers' vocabulary ids, one per slot
 * @param triggerTokens their vocabulary spellings
 * @param labelWords class to label words (empty for fact retrieval)
 * @param metrics metric name to value
 * @param settings the search settings
 * @param passes forward and gradient passes used
 * @param elapsedMillis wall time
 * @param iterations steps done; fewer than {@code settings().iterations()} when a time budget stopped the search
 * @param bestIteration the step that found the best triggers (0 = the initial triggers)
 * @param state the final state, for {@link TriggerSearch#resume}
 * @param protocol which data searched, selected and reported ({@link Protocol#unrecorded()} until a caller records
 *        it with {@link #withProtocol}, and in older JSON)
 * @param calibrationPrior the class prior that {@link #classifier(MaskedLanguageModel)} divides by (a
 *        {@link Calibration#fixed fixed} calibration, e.g. chosen on the selection split by
 *        {@code search.select.CalibrationStage}), class label to probability; empty for none (and in older JSON)
 * @param ensembleTriggerIds the trigger ids of each member of an ensemble of trigger states, best first, the first
 *        being {@code triggerIds} (e.g. chosen on the selection split by {@code search.select.TriggerEnsembleStage});
 *        empty for a single prompt (and in older JSON), otherwise at least two members. An ensemble averages its
 *        members' class distributions ({@link #memberClassifiers}) and is not calibrated
 * @param head a learned verbalizer on the found prompt's transformed mask state that scores the classes in place of
 *        the label words (chosen on the selection split, e.g. by {@code search.label.LearnedHeadStage}, and attached
 *        with {@link #withHead}); empty for the label words (and in JSON without a head). A result with a head is a
 *        single, uncalibrated prompt: the head has its own biases, and was fitted on one trigger state's states
 */
public record TriggerSearchResult(String modelName, String template, String filledTemplate, int[] triggerIds,
        List<String> triggerTokens, Map<String, List<String>> labelWords, Map<String, Double> metrics,
        TriggerSearchSettings settings, PassCounts passes, long elapsedMillis, int iterations, int bestIteration,
        TriggerSearchState state, Protocol protocol, Map<String, Double> calibrationPrior,
        List<int[]> ensembleTriggerIds, @JsonIgnore Optional<LinearVerbalizer> head) {

    /** The {@code format} tag of the JSON form of a result with a learned {@link #head()}. */
    public static final String FORMAT_WITH_HEAD = "prompt4j-autoprompt-head/1";

    public TriggerSearchResult {
        protocol = protocol == null ? Protocol.unrecorded() : protocol;
        calibrationPrior = calibrationPrior == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(calibrationPrior));
        ensembleTriggerIds = copyMembers(ensembleTriggerIds, triggerIds);
        head = head == null ? Optional.empty() : head;
        if (head.isPresent()) {
            if (!ensembleTriggerIds.isEmpty() || !calibrationPrior.isEmpty()) {
                throw new IllegalArgumentException("a learned head scores one trigger state without calibration, but "
                        + "this result is " + (calibrationPrior.isEmpty() ? "an ensemble of "
                        + ensembleTriggerIds.size() + " trigger states" : "calibrated") + "; attach the head with "
                        + "withHead, which drops both");
            }
            if (!head.get().labels().equals(List.copyOf(labelWords.keySet()))) {
                throw new IllegalArgumentException("the learned head scores classes " + head.get().labels()
                        + " but the label words name " + labelWords.keySet() + "; fit the head on the same classes");
            }
        }
        if (!ensembleTriggerIds.isEmpty() && !calibrationPrior.isEmpty()) {
            throw new IllegalArgumentException("an ensemble of " + ensembleTriggerIds.size() + " trigger states "
                    + "averages uncalibrated members and cannot carry a calibration prior; calibrate a single prompt "
                    + "or keep the ensemble uncalibrated");
        }
        if (!calibrationPrior.isEmpty()) {
            if (!calibrationPrior.keySet().equals(labelWords.keySet())) {
                throw new IllegalArgumentException("the calibration prior names classes " + calibrationPrior.keySet()
                        + " but the label words " + labelWords.keySet() + "; give a probability for every class");
            }
            Calibration.fixed(calibrationPrior); // validates every probability
        }
        if (triggerIds.length != triggerTokens.size()) {
            throw new IllegalArgumentException(triggerIds.length + " trigger ids but " + triggerTokens.size()
                    + " tokens");
        }
        triggerIds = triggerIds.clone();
        triggerTokens = List.copyOf(triggerTokens);
        Map<String, List<String>> words = new LinkedHashMap<>();
        labelWords.forEach((k, v) -> words.put(k, List.copyOf(v)));
        labelWords = Collections.unmodifiableMap(words);
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
    }

    /** Validated, deep copy of the ensemble members: none, or two or more led by {@code triggerIds}. */
    private static List<int[]> copyMembers(List<int[]> members, int[] triggerIds) {
        if (members == null || members.isEmpty()) {
            return List.of();
        }
        if (members.size() == 1) {
            throw new IllegalArgumentException("an ensemble needs at least two trigger states, got one; save a single "
                    + "prompt with no ensemble members instead");
        }
        List<int[]> copy = new ArrayList<>(members.size());
        for (int m = 0; m < members.size(); m++) {
            int[] ids = members.get(m);
            if (ids == null || ids.length != triggerIds.length) {
                throw new IllegalArgumentException("ensemble member " + m + " has " + (ids == null ? 0 : ids.length)
                        + " trigger ids, the template " + triggerIds.length);
            }
            copy.add(ids.clone());
        }
        if (!Arrays.equals(copy.get(0), triggerIds)) {
            throw new IllegalArgumentException("ensemble member 0 " + Arrays.toString(copy.get(0)) + " is not the "
                    + "result's triggers " + Arrays.toString(triggerIds) + "; the best member leads the ensemble");
        }
        return Collections.unmodifiableList(copy);
    }

    @Override
    public int[] triggerIds() {
        return triggerIds.clone();
    }

    @Override
    public List<int[]> ensembleTriggerIds() {
        List<int[]> out = new ArrayList<>(ensembleTriggerIds.size());
        ensembleTriggerIds.forEach(ids -> out.add(ids.clone()));
        return out;
    }

    /** Whether this prompt is an ensemble of several trigger states ({@link #ensembleTriggerIds()} not empty). */
    @JsonIgnore
    public boolean isEnsemble() {
        return !ensembleTriggerIds.isEmpty();
    }

    /** The template with its trigger slots bound to the found trigger ids, ready for a {@link PromptClassifier}. */
    public Template boundTemplate() {
        return Template.parse(template).withTriggerIds(triggerIds);
    }

    /**
     * The label words as a verbalizer (classification only).
     *
     * @throws IllegalStateException for a fact-retrieval result
     */
    public Verbalizer verbalizer() {
        if (labelWords.isEmpty()) {
            throw new IllegalStateException("a " + settings.mode() + " result has no label words; only "
                    + "classification results load into a classifier");
        }
        return Verbalizer.of(labelWords);
    }

    /** The saved calibration: {@link Calibration#fixed} by {@link #calibrationPrior()}, or none when it is empty. */
    public Calibration calibration() {
        return calibrationPrior.isEmpty() ? Calibration.none() : Calibration.fixed(calibrationPrior);
    }

    /**
     * A classifier with the found prompt over {@code model}, using {@link LabelMapper#sum()} (the class score the
     * search optimised) and the saved {@link #calibration()} (no forward pass: the prior is stored); with a
     * {@link #head()}, the head scores the classes instead.
     *
     * @throws IllegalArgumentException if a trigger token has another id (or none) in the model's vocabulary, or the
     *         result has a head and {@code model} is not the one it was fitted on (by name)
     * @throws IllegalStateException for a fact-retrieval result, or an ensemble (classify an ensemble with
     *         {@code PromptEnsemble.of(result.memberClassifiers(model))})
     */
    public PromptClassifier classifier(MaskedLanguageModel model) {
        return classifier(model, calibration());
    }

    /**
     * One classifier per member of the prompt, best first: the {@link #classifier(MaskedLanguageModel)} of a single
     * prompt, or for an ensemble one uncalibrated classifier per {@link #ensembleTriggerIds()} entry, each with the
     * label words and {@link LabelMapper#sum()}. {@code PromptEnsemble.of(memberClassifiers(model))} classifies as the
     * saved prompt does (one member: exactly as its classifier).
     *
     * @throws IllegalArgumentException if a trigger token has another id (or none) in the model's vocabulary
     * @throws IllegalStateException for a fact-retrieval result
     */
    public List<PromptClassifier> memberClassifiers(MaskedLanguageModel model) {
        if (!isEnsemble()) {
            return List.of(classifier(model));
        }
        checkVocabulary(model.tokenizer(), model);
        List<PromptClassifier> out = new ArrayList<>(ensembleTriggerIds.size());
        Template parsed = Template.parse(template);
        for (int[] ids : ensembleTriggerIds) {
            out.add(builder(model, parsed.withTriggerIds(ids)).build());
        }
        return List.copyOf(out);
    }

    /**
     * As {@link #classifier(MaskedLanguageModel)}, with another calibration than the saved one (see {@link Calibration}; estimating the prior costs
     * one forward pass per calibration input).
     *
     * @throws IllegalArgumentException if a trigger token has another id (or none) in the model's vocabulary, or
     *         the calibration inputs do not fit the template, or the result has a head (which has its own biases) and
     *         {@code calibration} is not {@link Calibration#none()}
     * @throws IllegalStateException for a fact-retrieval result
     */
    public PromptClassifier classifier(MaskedLanguageModel model, Calibration calibration) {
        if (isEnsemble()) {
            throw new IllegalStateException("this prompt is an ensemble of " + ensembleTriggerIds.size() + " trigger "
                    + "states; classify with PromptEnsemble.of(result.memberClassifiers(model))");
        }
        checkVocabulary(model.tokenizer(), model);
        return builder(model, boundTemplate()).calibration(calibration).build();
    }

    /** Refuses a model whose vocabulary spells the triggers with other ids. */
    private void checkVocabulary(Tokenizer tokenizer, MaskedLanguageModel model) {
        for (int i = 0; i < triggerIds.length; i++) {
            OptionalInt id = tokenizer.tokenToId(triggerTokens.get(i));
            if (id.isEmpty() || id.getAsInt() != triggerIds[i]) {
                throw new IllegalArgumentException("trigger '" + triggerTokens.get(i) + "' has id " + triggerIds[i]
                        + " in the vocabulary of '" + modelName + "' but not in that of model '"
                        + model.info().name() + "'; load the result with the model it was searched on");
            }
        }
    }

    /**
     * A classifier builder for one member: its bound template, the label words and the sum mapper (or the learned
     * head), the length limit.
     */
    private PromptClassifier.Builder builder(MaskedLanguageModel model, Template bound) {
        PromptClassifier.Builder b = PromptClassifier.builder(model).template(bound)
                .maxLength(Math.min(settings.maxLength(), model.tokenizer().maxSequenceLength()));
        if (head.isEmpty()) {
            return b.verbalizer(verbalizer()).mapper(LabelMapper.sum());
        }
        if (!model.info().name().equals(modelName)) {
            throw new IllegalArgumentException("the learned head reads the mask states of model '" + modelName
                    + "'; it cannot run on model '" + model.info().name() + "'");
        }
        return b.learnedVerbalizer(head.get());
    }

    /**
     * A copy with further metrics measured after the search, e.g. the accuracy on a whole dev file, so the saved
     * prompt carries them; an existing name is replaced.
     */
    public TriggerSearchResult withMetrics(Map<String, Double> measured) {
        Map<String, Double> all = new LinkedHashMap<>(metrics);
        all.putAll(measured);
        return with(labelWords, all);
    }

    /**
     * A copy with other label words, e.g. extended by a label-word search on the found template
     * ({@code LabelWordSearchResult.extend}); the classes must stay the same. The search's metrics were measured
     * with the original words: measure the new ones and add them with {@link #withMetrics}. New words drop a
     * calibration prior, ensemble members and a learned head, which were chosen with the old words.
     *
     * @throws IllegalArgumentException for a fact-retrieval result or other classes
     */
    public TriggerSearchResult withLabelWords(Verbalizer words) {
        if (labelWords.isEmpty()) {
            throw new IllegalArgumentException("a " + settings.mode() + " result has no label words to replace");
        }
        if (!words.labels().equals(List.copyOf(labelWords.keySet()))) {
            throw new IllegalArgumentException("new label words have classes " + words.labels() + ", the search "
                    + labelWords.keySet() + "; keep the classes");
        }
        return with(words.words(), metrics);
    }

    /** This result with other label words and metrics, everything else kept. */
    private TriggerSearchResult with(Map<String, List<String>> words, Map<String, Double> measured) {
        return new TriggerSearchResult(modelName, template, filledTemplate, triggerIds, triggerTokens, words, measured,
                settings, passes, elapsedMillis, iterations, bestIteration, state, protocol,
                words.equals(labelWords) ? calibrationPrior : Map.of(),
                words.equals(labelWords) ? ensembleTriggerIds : List.of(),
                words.equals(labelWords) ? head : Optional.empty());
    }

    /** A copy that records which data searched, selected and reported (see {@link Protocol}). */
    public TriggerSearchResult withProtocol(Protocol recorded) {
        if (recorded == null) {
            throw new IllegalArgumentException("protocol must not be null; use Protocol.unrecorded()");
        }
        return new TriggerSearchResult(modelName, template, filledTemplate, triggerIds, triggerTokens, labelWords,
                metrics, settings, passes, elapsedMillis, iterations, bestIteration, state, recorded, calibrationPrior,
                ensembleTriggerIds, head);
    }

    /**
     * A copy whose {@link #classifier(MaskedLanguageModel)} divides by {@code prior} (class label to probability, every
     * class); an empty map removes the calibration. Choose the prior on the selection split
     * ({@code search.select.CalibrationStage}), never on the data you report.
     *
     * @throws IllegalArgumentException when the prior does not name exactly the classes, or a value is not finite
     *         and {@code > 0}, or this prompt is an ensemble (its members are not calibrated)
     */
    public TriggerSearchResult withCalibrationPrior(Map<String, Double> prior) {
        if (prior == null) {
            throw new IllegalArgumentException("prior must not be null; pass Map.of() for no calibration");
        }
        return new TriggerSearchResult(modelName, template, filledTemplate, triggerIds, triggerTokens, labelWords,
                metrics, settings, passes, elapsedMillis, iterations, bestIteration, state, protocol, prior,
                ensembleTriggerIds, head);
    }

    /**
     * A copy that classifies with an ensemble of trigger states (chosen on the selection split, e.g. by
     * {@code search.select.TriggerEnsembleStage}): the first member becomes the result's triggers (ids, tokens,
     * filled template and best iteration), and with two or more members {@link #memberClassifiers} averages them.
     * One member makes a single prompt of that state. A learned head, fitted on one state's mask states, is dropped.
     * The metrics stay as measured: add the ensemble's with {@link #withMetrics}.
     *
     * @param members the trigger states, best first
     * @param tokenizer the search model's tokenizer, to spell the first member's triggers
     * @throws IllegalArgumentException for no members, a member with another number of triggers, or a calibrated
     *         result with two or more members
     */
    public TriggerSearchResult withEnsemble(List<ScoredTriggers> members, Tokenizer tokenizer) {
        if (members == null || members.isEmpty() || tokenizer == null) {
            throw new IllegalArgumentException("give at least one member trigger state and the model's tokenizer");
        }
        int[] best = members.get(0).triggers();
        List<int[]> ids = members.size() < 2 ? List.of() : members.stream().map(ScoredTriggers::triggers).toList();
        return new TriggerSearchResult(modelName, template, fill(template, best, tokenizer), best,
                spell(best, tokenizer), labelWords, metrics, settings, passes, elapsedMillis, iterations,
                members.get(0).iteration(), state, protocol, calibrationPrior, ids, Optional.empty());
    }

    /**
     * A copy that scores the classes with a learned verbalizer on this prompt's mask state instead of the label words
     * (e.g. chosen on the selection split by {@code search.label.LearnedHeadStage}); an ensemble keeps its first
     * member, the state the head was fitted on, and a calibration prior is dropped (the head has its own biases).
     * The label words stay, as the classes and the head's initialisation. The metrics stay as measured: add the
     * head's with {@link #withMetrics}.
     *
     * @throws IllegalArgumentException when the head is null or scores other classes than the label words
     */
    public TriggerSearchResult withHead(LinearVerbalizer learned) {
        if (learned == null) {
            throw new IllegalArgumentException("head must not be null; a result without a head keeps its label words");
        }
        return new TriggerSearchResult(modelName, template, filledTemplate, triggerIds, triggerTokens, labelWords,
                metrics, settings, passes, elapsedMillis, iterations, bestIteration, state, protocol, Map.of(),
                List.of(), Optional.of(learned));
    }

    /** The vocabulary spellings of trigger ids. */
    static List<String> spell(int[] ids, Tokenizer tokenizer) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(tokenizer.idToToken(id));
        }
        return out;
    }

    /** The template with each trigger slot spelled as its token; slots still holding the mask token stay {@code [T]}. */
    static String fill(String template, int[] ids, Tokenizer tokenizer) {
        StringBuilder sb = new StringBuilder();
        int slot = 0;
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith("[T]", i)) {
                int id = ids[slot++];
                // A slot still holding the mask token reads as an unfilled slot, never as a second [MASK].
                sb.append(id == tokenizer.specialTokens().mask() ? "[T]" : tokenizer.idToToken(id));
                i += 3;
            } else {
                sb.append(template.charAt(i++));
            }
        }
        return sb.toString();
    }

    /** This result as JSON: its own document, or with a {@link #head()} that document wrapped with the head. */
    public String toJson() {
        if (head.isEmpty()) {
            return Json.write(this);
        }
        LinearHead h = head.get().head();
        return Json.write(new StoredWithHead(FORMAT_WITH_HEAD, this, h.hidden(), FloatCodec.encode(h.weights()),
                FloatCodec.encode(h.bias())));
    }

    /**
     * Parses a result written by {@link #toJson()}, with or without a head.
     *
     * @throws IllegalArgumentException for malformed JSON, or a head whose weights are not base64 of
     *         {@code hiddenSize} float32 values per class
     */
    public static TriggerSearchResult fromJson(String json) {
        if (json == null || !json.contains("\"" + FORMAT_WITH_HEAD + "\"")) {
            return Json.read(json, TriggerSearchResult.class);
        }
        StoredWithHead s = Json.read(json, StoredWithHead.class);
        if (!FORMAT_WITH_HEAD.equals(s.format())) {
            throw new IllegalArgumentException("not an AutoPrompt result with a learned head: format '" + s.format()
                    + "', expected '" + FORMAT_WITH_HEAD + "'");
        }
        return s.prompt().withHead(FloatCodec.decodeHead(List.copyOf(s.prompt().labelWords().keySet()),
                s.hiddenSize(), s.headWeights(), s.headBias()));
    }

    /** The JSON form with a learned head: the result's document (without the head) and the head. */
    record StoredWithHead(String format, TriggerSearchResult prompt, int hiddenSize, String headWeights,
            String headBias) {
    }
}
