package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.select.PromptEnsemble;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.trigger.SearchMode;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * Reads a saved prompt ({@code --prompt FILE}: the result JSON of {@code autoprompt}, or the trained prompt of
 * {@code verbalizer}, {@code prefix} or {@code soft --save}) for the command line. Stateless.
 */
final class PromptFile {

    private PromptFile() {
    }

    /**
     * Reads and checks a saved classification prompt.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws ParameterException when it is not a trigger-search result JSON or holds a fact-retrieval prompt
     */
    static TriggerSearchResult read(Path file, CommandLine cmd) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved prompt " + file, e);
        }
        TriggerSearchResult result;
        try {
            result = TriggerSearchResult.fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--prompt " + file + " is not a saved prompt (the result JSON that "
                    + "autoprompt writes): " + e.getMessage());
        }
        if (result.settings().mode() != SearchMode.CLASSIFICATION || result.labelWords().isEmpty()) {
            throw new ParameterException(cmd, "--prompt " + file + " is a " + result.settings().mode()
                    + " prompt without label words; zero-shot needs a classification prompt");
        }
        return result;
    }

    /**
     * How a saved prompt classifies inputs: its classifier, or for an ensemble of trigger states the mean of its
     * members' distributions ({@code PromptEnsemble.of(result.memberClassifiers(model))}).
     */
    static Function<List<Map<String, String>>, List<Classification>> classify(TriggerSearchResult result,
            MaskedLanguageModel model) {
        return result.isEnsemble() ? PromptEnsemble.of(result.memberClassifiers(model))::classifyAllFields
                : result.classifier(model)::classifyAllFields;
    }

    /** Whether the file holds a learned-verbalizer prompt ({@code verbalizer --save}) rather than a trigger result. */
    static boolean isLearnedVerbalizer(Path file) {
        return LearnedVerbalizerResult.isThisFormat(text(file));
    }

    /**
     * Reads a learned-verbalizer prompt.
     *
     * @throws ParameterException when the file is not a valid one
     */
    static LearnedVerbalizerResult readLearned(Path file, CommandLine cmd) {
        try {
            return LearnedVerbalizerResult.fromJson(text(file));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--prompt " + file + " is not a valid learned-verbalizer prompt: "
                    + e.getMessage());
        }
    }

    /** Whether the file holds a prefix-tuning prompt ({@code prefix --save}). */
    static boolean isPrefix(Path file) {
        return PrefixTuningResult.isThisFormat(text(file));
    }

    /**
     * Reads a prefix-tuning prompt.
     *
     * @throws ParameterException when the file is not a valid one
     */
    static PrefixTuningResult readPrefix(Path file, CommandLine cmd) {
        try {
            return PrefixTuningResult.fromJson(text(file));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--prompt " + file + " is not a valid prefix-tuning prompt: "
                    + e.getMessage());
        }
    }

    /** Whether the file holds a soft prompt ({@code soft --save}). */
    static boolean isSoft(Path file) {
        return SoftPromptResult.isThisFormat(text(file));
    }

    /**
     * Reads a soft prompt for classification.
     *
     * @throws ParameterException when the file is not a valid one, or a fact-retrieval prompt without label words
     */
    static SoftPromptResult readSoft(Path file, CommandLine cmd) {
        SoftPromptResult r;
        try {
            r = SoftPromptResult.fromJson(text(file));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--prompt " + file + " is not a valid soft prompt: " + e.getMessage());
        }
        if (r.labelWords().isEmpty()) {
            throw new ParameterException(cmd, "--prompt " + file + " is a fact-retrieval soft prompt without label "
                    + "words; zero-shot needs a classification prompt");
        }
        return r;
    }

    /**
     * A saved prompt of any kind, read for classification: the file, the model it was made with, and how to build its
     * classifiers over that model (one, or one per member of a trigger ensemble, each weighing {@code 1 / members}).
     *
     * @param file the file it was read from
     * @param modelName the model the file names
     * @param classifiers its member classifiers over a model
     */
    record Saved(Path file, String modelName, Function<MaskedLanguageModel, List<PromptClassifier>> classifiers) {
    }

    /**
     * Reads a saved classification prompt of any kind: prefix-tuning, soft, learned-verbalizer or trigger-search
     * result (single or ensemble).
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws ParameterException when it is not a valid saved classification prompt
     */
    static Saved readAny(Path file, CommandLine cmd) {
        if (isPrefix(file)) {
            PrefixTuningResult r = readPrefix(file, cmd);
            return new Saved(file, r.modelName(), m -> List.of(r.classifier(m)));
        }
        if (isSoft(file)) {
            SoftPromptResult r = readSoft(file, cmd);
            return new Saved(file, r.modelName(), m -> List.of(r.classifier(m)));
        }
        if (isLearnedVerbalizer(file)) {
            LearnedVerbalizerResult r = readLearned(file, cmd);
            return new Saved(file, r.modelName(), m -> List.of(r.classifier(m)));
        }
        TriggerSearchResult r = read(file, cmd);
        return new Saved(file, r.modelName(), r::memberClassifiers);
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved prompt " + file, e);
        }
    }
}
