package io.github.prompt4j.spark;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.ModelLoadException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models and classifiers of this JVM (an executor, or the driver in local mode): one model per distinct
 * {@link ModelSettings}, opened lazily by the first task that needs it while the JVM's other tasks wait for it, then
 * shared by all of them; one classifier per {@link SparkPromptClassifier} over it.
 *
 * <p><b>Lifetime:</b> the models live as long as the JVM: a shutdown hook, registered when this class loads, closes
 * them when the executor exits (Spark executors are not reused across applications). A model that fails to open is
 * not remembered: the next task (a retry) tries again.
 *
 * <p>Thread-safe.
 */
final class ExecutorModels {

    private static final Logger log = LoggerFactory.getLogger(ExecutorModels.class);

    private static final Map<ModelSettings, Lazy<MaskedLanguageModel>> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, Lazy<PromptClassifier>> CLASSIFIERS = new ConcurrentHashMap<>();
    private static final AtomicInteger OPENED = new AtomicInteger();

    /** Opens a model with the given fallback thread count; replaced by tests to run a fake model. */
    interface Opener {
        MaskedLanguageModel open(ModelSettings settings, int threads);
    }

    private static final Opener REAL = ModelSettings::open;
    private static volatile Opener opener = REAL;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "prompt4j-spark-close-models"));
    }

    private ExecutorModels() {
    }

    /**
     * This JVM's classifier {@code id}, built over this JVM's model on first use.
     *
     * @param threads ONNX Runtime threads if the model is opened now and the settings leave them to the task
     * @throws ModelLoadException naming the executor and the model when the model cannot be opened here
     * @throws IllegalArgumentException when the prompt does not fit the model
     */
    static PromptClassifier classifier(String id, ModelSettings settings, SparkPrompt prompt, int threads) {
        Lazy<PromptClassifier> slot = CLASSIFIERS.computeIfAbsent(id, k -> new Lazy<>());
        return slot.get(() -> {
            MaskedLanguageModel model = model(settings, threads);
            try {
                return prompt.classifier(model);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prompt + " does not fit " + settings.model() + ": "
                        + e.getMessage(), e);
            }
        });
    }

    /** This JVM's model for {@code settings}, opened now if it is not open yet. */
    static MaskedLanguageModel model(ModelSettings settings, int threads) {
        Lazy<MaskedLanguageModel> slot = MODELS.computeIfAbsent(settings, k -> new Lazy<>());
        return slot.get(() -> {
            long start = System.nanoTime();
            MaskedLanguageModel model;
            try {
                model = opener.open(settings, threads);
            } catch (RuntimeException e) {
                throw new ModelLoadException("cannot open " + settings.model() + " (" + settings.precision() + ") on "
                        + where() + ": " + e.getMessage(), e);
            }
            OPENED.incrementAndGet();
            log.info("opened {} on {} in {} ms", settings.model(), where(), (System.nanoTime() - start) / 1_000_000);
            return model;
        });
    }

    /** How many models this JVM has opened since it started (or since {@link #closeAll()}). */
    static int openedCount() {
        return OPENED.get();
    }

    /** Closes every model of this JVM and forgets the classifiers; later tasks open them again. */
    static synchronized void closeAll() {
        List<Lazy<MaskedLanguageModel>> open = new ArrayList<>(MODELS.values());
        MODELS.clear();
        CLASSIFIERS.clear();
        OPENED.set(0);
        for (Lazy<MaskedLanguageModel> slot : open) {
            MaskedLanguageModel model = slot.peek();
            if (model != null) {
                try {
                    model.close();
                } catch (Exception e) {
                    log.warn("closing a model at shutdown failed", e);
                }
            }
        }
    }

    /** Test hook: opens models with {@code testOpener}, or the real opener for null. Closes the open models first. */
    static void useOpener(Opener testOpener) {
        closeAll();
        opener = testOpener != null ? testOpener : REAL;
    }

    /** This executor and host, for messages. */
    private static String where() {
        SparkEnv env = SparkEnv.get();
        String executor = env != null ? "executor " + env.executorId() : "a JVM outside Spark";
        try {
            return executor + " (host " + InetAddress.getLocalHost().getHostName() + ")";
        } catch (UnknownHostException e) {
            return executor;
        }
    }

    /** A value computed once, by the first caller, while later callers wait; a failure is not kept. */
    private static final class Lazy<T> {
        private T value;

        synchronized T get(Supplier<T> compute) {
            if (value == null) {
                value = compute.get();
            }
            return value;
        }

        synchronized T peek() {
            return value;
        }
    }
}
