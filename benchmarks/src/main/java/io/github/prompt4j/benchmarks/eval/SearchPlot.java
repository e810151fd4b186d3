package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.search.trigger.SearchStep;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The PNG plot of a trigger search: train loss (left axis) and dev metric (right axis) per step, drawn with XChart.
 *
 * <p>Stateless and thread-safe; needs no display (it renders into an image).
 */
final class SearchPlot {

    /** Image width in pixels. */
    static final int WIDTH = 900;
    /** Image height in pixels. */
    static final int HEIGHT = 500;

    private SearchPlot() {
    }

    /**
     * Writes the plot of {@code steps} (non-finite values, such as a loss before the first step, are left out).
     *
     * @param title the chart title, e.g. the filled template
     * @param metric the selection metric's name for the right axis, e.g. {@code dev accuracy}
     * @throws IllegalArgumentException for no steps
     * @throws UncheckedIOException when the file cannot be written
     */
    static void write(List<SearchStep> steps, String title, String metric, Path file) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no search steps to plot into " + file);
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step").build();
        List<Integer> lossX = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Integer> devX = new ArrayList<>();
        List<Double> dev = new ArrayList<>();
        for (SearchStep s : steps) {
            if (Double.isFinite(s.trainLoss())) {
                lossX.add(s.iteration());
                loss.add(s.trainLoss());
            }
            if (Double.isFinite(s.selectionMetric())) {
                devX.add(s.iteration());
                dev.add(s.selectionMetric());
            }
        }
        if (!loss.isEmpty()) {
            chart.addSeries("train loss", lossX, loss).setYAxisGroup(0);
            chart.setYAxisGroupTitle(0, "train loss");
        }
        if (!dev.isEmpty()) {
            chart.addSeries(metric, devX, dev).setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, metric);
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + file + ": " + e, e);
        }
    }
}
