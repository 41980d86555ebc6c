package ember.replay.engine;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A {@link Progress} drawn with me.tongfei:progressbar on stderr. The bar appears only once a
 * replay has run for {@link #SHOW_AFTER_NS}: short replays print nothing.
 */
final class TerminalProgress implements Progress
{
    static final long SHOW_AFTER_NS = 700_000_000L;
    private static final long CHECK_MASK = (1 << 14) - 1;

    private final String task;
    private final long total;
    private final long startNs = System.nanoTime();
    private ProgressBar bar;
    private long last;
    private boolean failed;

    TerminalProgress(final String task, final long total)
    {
        this.task = task;
        this.total = total;
    }

    @Override
    public void at(final long index)
    {
        last = index;
        if ((index & CHECK_MASK) != 0 || failed)
        {
            return;
        }
        if (bar == null)
        {
            if (System.nanoTime() - startNs < SHOW_AFTER_NS)
            {
                return;
            }
            try
            {
                bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(total > 0 ? total : -1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(250)
                    .showSpeed()
                    .startsFrom(0, java.time.Duration.ofNanos(System.nanoTime() - startNs))
                    .build();
            }
            catch (final RuntimeException | LinkageError ex)
            {
                failed = true; // a progress bar is never worth failing a replay
                return;
            }
        }
        bar.stepTo(index);
    }

    @Override
    public void close()
    {
        if (bar != null)
        {
            bar.stepTo(last);
            bar.close();
            bar = null;
        }
    }
}
