package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every model-running subcommand shares ({@code --model}, {@code --device}, {@code --precision},
 * {@code --batch-size},
 * {@code --threads}, {@code --cache}), as a picocli mixin, and how they open the model.
 */
final class ModelOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--model", paramLabel = "NAME|DIR", converter = Converters.Model.class,
            description = "bert-base-cased, bert-base-uncased, bert-base-multilingual-cased, or the path of an "
                    + "exported model directory (required, except by zero-shot with a --prompt file that names its "
                    + "model)")
    ModelSpec model;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda",
            description = "where ONNX Runtime runs; auto uses CUDA when the CUDA build and a GPU are present "
                    + "(default: ${DEFAULT-VALUE})")
    Device device;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|int8",
            description = "arithmetic of the forward passes (scoring, candidate evaluation, selection, reports); "
                    + "gradient passes are always fp32 (default: ${DEFAULT-VALUE})")
    Precision precision;

    @Option(names = "--batch-size", defaultValue = "32", converter = Converters.PositiveInt.class, paramLabel = "N",
            description = "prompts per model call (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "ONNX Runtime intra-op threads; 0 = one per available processor (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "model cache for pretrained models (default: -Dprompt4j.cache, $PROMPT4J_CACHE, else "
                    + "~/.cache/prompt4j); the first use of a model converts it there")
    Optional<Path> cache = Optional.empty();

    /**
     * Uses the model a saved prompt names when no {@code --model} was given (its ids and vectors only mean something
     * there).
     *
     * @param source what names it, for the message, e.g. {@code --prompt FILE}
     * @throws ParameterException when the name is not a known pretrained model or an exported directory
     */
    void orNamed(String named, String source) {
        if (model != null) {
            return;
        }
        try {
            model = ModelSpec.parse(named);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), source + " names model '" + named
                    + "', which is not a known pretrained model; give --model");
        }
    }

    /**
     * Opens the model; the caller owns it and closes it.
     *
     * @throws io.github.prompt4j.core.model.ModelLoadException when the checkpoint or exported directory is unusable
     */
    OnnxMaskedLanguageModel open() {
        return open(precision);
    }

    /**
     * Opens the model at another precision than {@code --precision} (e.g. float32 for a final report after int8
     * scoring); the caller owns it and closes it.
     *
     * @throws picocli.CommandLine.ParameterException when no {@code --model} was given
     */
    OnnxMaskedLanguageModel open(Precision at) {
        if (model == null) {
            throw new ParameterException(mixee.commandLine(), "give --model (e.g. --model bert-base-cased)");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 (one per available processor) or positive, got "
                    + threads);
        }
        OnnxMaskedLanguageModel.Builder b = OnnxMaskedLanguageModel.builder().device(device).intraOpThreads(threads)
                .maxBatchSize(batchSize).precision(at);
        if (model.pretrained().isPresent()) {
            b.pretrained(model.pretrained().get()).cache(cache.map(ModelCache::at).orElseGet(ModelCache::defaultCache));
        } else {
            b.directory(model.directory().orElseThrow());
        }
        return b.build();
    }
}
