package ember.replay.audit;

import ember.kernel.state.KernelState;
import ember.replay.engine.Origin;
import ember.replay.engine.Progress;
import ember.replay.engine.Stepper;
import ember.replay.render.StateText;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The states {@code timeline} embeds in its page: for the records that have marks, the text
 * {@code replay-tool state --at N} prints (rendered by {@link StateText}, the same code), at most
 * {@code max} of them. When there are more, an even sample is kept: every {@code every}-th marked
 * record, {@code every} a power of two that doubles (dropping every other kept index) each time
 * the sample would outgrow {@code max}, so memory stays bounded in one pass over the journal.
 * Only indexes are sampled during that pass; {@link #render} then replays once more (the fast
 * path) and renders exactly the kept states: rendering one costs its digest, so rendering states
 * that a later doubling drops would cost more than the second replay. Each text is cut at
 * {@link #MAX_CHARS}, with a note. Single-threaded, not thread-safe.
 */
public final class SampledStates
{
    /** Longest state text kept (a state of 100,000 processes would make the page unusable). */
    public static final int MAX_CHARS = 16 * 1024;

    private final int max;
    private final String dir;
    private final List<long[]> kept = new ArrayList<>();   // {ordinal, index}, in index order
    private final List<String> texts = new ArrayList<>();   // filled by render()
    private long offered;
    private long every = 1;
    private long lastIndex = -1;

    /**
     * @param max the most states kept (0: none).
     * @param dir the kernel directory, for the command line each text names.
     */
    public SampledStates(final int max, final String dir)
    {
        this.max = Math.max(0, max);
        this.dir = dir;
    }

    /** Offer the record {@code index}, which has marks; a record offered again (several marks) counts once. */
    public void offer(final long index)
    {
        if (index == lastIndex || max == 0)
        {
            return;
        }
        lastIndex = index;
        final long ordinal = offered++;
        if (ordinal % every != 0)
        {
            return;
        }
        kept.add(new long[] {ordinal, index});
        if (kept.size() > max)
        {
            every *= 2;
            kept.removeIf(k -> k[0] % every != 0);
        }
    }

    /**
     * Render the kept states: replay from {@code origin} (the walk's own start) to each kept index.
     *
     * @param origin where the timeline's walk started.
     */
    public void render(final Origin origin)
    {
        texts.clear();
        if (kept.isEmpty())
        {
            return;
        }
        try (Stepper stepper = new Stepper(origin))
        {
            for (final long[] k : kept)
            {
                stepper.skipTo(k[1], Progress.NONE);
                texts.add(text(stepper.state()));
            }
        }
    }

    /** @return {@code state --at N}'s text for the state after record {@code index}, cut at {@link #MAX_CHARS}. */
    private static String text(final KernelState state)
    {
        final Bounded bounded = new Bounded();
        final PrintWriter out = new PrintWriter(bounded);
        try
        {
            StateText.write(state, out);
            out.flush();
        }
        catch (final Bounded.Full full)
        {
            bounded.text.append("\n… (cut at ").append(MAX_CHARS / 1024).append(" KiB: run the command above for all of it)\n");
        }
        return bounded.text.toString();
    }

    /** @return {@code {"records": marked records, "kept": n, "every": stride, "max": max, "command": ..., "at": {index: text}}}. */
    public Map<String, Object> toJson()
    {
        final Map<String, Object> at = new LinkedHashMap<>();
        for (int i = 0; i < texts.size(); i++)
        {
            at.put(Long.toString(kept.get(i)[1]), texts.get(i));
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", offered);
        m.put("kept", (long)texts.size());
        m.put("every", every);
        m.put("max", (long)max);
        m.put("command", "replay-tool state --dir " + dir + " --at ");
        m.put("at", at);
        return m;
    }

    /** A writer that gives up, by an unchecked exception, once it holds {@link #MAX_CHARS}: no time is spent on the rest. */
    private static final class Bounded extends Writer
    {
        final StringBuilder text = new StringBuilder();

        static final class Full extends RuntimeException
        {
            private static final long serialVersionUID = 1L;

            Full()
            {
                super(null, null, false, false);
            }
        }

        @Override
        public void write(final char[] chars, final int off, final int len)
        {
            final int room = MAX_CHARS - text.length();
            text.append(chars, off, Math.min(room, len));
            if (len > room)
            {
                throw new Full();
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    }
}
