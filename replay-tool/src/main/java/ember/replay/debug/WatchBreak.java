package ember.replay.debug;

import ember.kernel.state.Disposition;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;
import ember.replay.engine.Step;
import ember.replay.render.EffectText;

import java.util.Objects;

/**
 * {@code watch queue P | process P | disposition P S}: stops at every record after which the
 * watched value differs from its value before the record. The values are read from the state
 * (no allocation per record); {@link #detail} renders the new one.
 */
abstract class WatchBreak extends BreakpointBase
{
    WatchBreak(final int id, final String description)
    {
        super(id, "watch " + description, false);
    }

    /** Remembers the value before the first record, as {@link #changed} does after each. */
    @Override
    public final void reset(final KernelState state)
    {
        changed(state);
    }

    @Override
    public final boolean hit(final KernelState state, final Step step)
    {
        return changed(state);
    }

    /** @return true when the value differs from the last one seen; remembers the new one. */
    abstract boolean changed(KernelState state);

    /** {@code watch queue P}: the length of P's queue (absent: not born or ended). */
    static final class Queue extends WatchBreak
    {
        private final long pid;
        private long last;

        Queue(final int id, final long pid)
        {
            super(id, "queue " + pid);
            this.pid = pid;
        }

        private long value(final KernelState state)
        {
            final ProcessEntry p = state.process(pid);
            return p == null ? -1 : p.queued();
        }

        @Override
        boolean changed(final KernelState state)
        {
            final long now = value(state);
            final boolean changed = now != last;
            last = now;
            return changed;
        }

        @Override
        public String detail(final KernelState state)
        {
            final long now = value(state);
            return "queued(" + pid + ") = " + (now < 0 ? "nil (no process " + pid + ")" : Long.toString(now));
        }
    }

    /** {@code watch process P}: whether P exists, runs or is stopped, its user, parent and name. */
    static final class Process extends WatchBreak
    {
        private final long pid;
        private boolean exists;
        private boolean stopped;
        private String user;
        private long parent;
        private String name;

        Process(final int id, final long pid)
        {
            super(id, "process " + pid);
            this.pid = pid;
        }

        @Override
        boolean changed(final KernelState state)
        {
            final ProcessEntry p = state.process(pid);
            final boolean nowExists = p != null;
            final boolean nowStopped = p != null && p.isStopped();
            final String nowUser = p == null ? null : p.user();
            final long nowParent = p == null ? 0 : p.parent();
            final String nowName = p == null ? null : p.name();
            final boolean changed = nowExists != exists || nowStopped != stopped || nowParent != parent ||
                !Objects.equals(nowUser, user) || !Objects.equals(nowName, name);
            exists = nowExists;
            stopped = nowStopped;
            user = nowUser;
            parent = nowParent;
            name = nowName;
            return changed;
        }

        @Override
        public String detail(final KernelState state)
        {
            final ProcessEntry p = state.process(pid);
            if (p == null)
            {
                return "process " + pid + ": none";
            }
            return "process " + pid + ": " + (p.isStopped() ? "stopped" : "running") + " user " + p.user() +
                " parent " + p.parent() + " name " + p.name();
        }
    }

    /** {@code watch disposition P S}: P's disposition of signal S and the handler's client. */
    static final class DispositionOf extends WatchBreak
    {
        private final long pid;
        private final long signal;
        private Disposition last;
        private int lastOwner;

        DispositionOf(final int id, final long pid, final long signal)
        {
            super(id, "disposition " + pid + " " + signal);
            this.pid = pid;
            this.signal = signal;
        }

        @Override
        boolean changed(final KernelState state)
        {
            final ProcessEntry p = state.process(pid);
            final Disposition now = p == null ? null : p.disposition(signal);
            final int owner = p == null ? 0 : p.handlerOwner(signal);
            final boolean changed = now != last || owner != lastOwner;
            last = now;
            lastOwner = owner;
            return changed;
        }

        @Override
        public String detail(final KernelState state)
        {
            final ProcessEntry p = state.process(pid);
            return "disposition of " + signal + " in " + pid + ": " +
                (p == null ? "none (no process " + pid + ")" : EffectText.disposition(p.disposition(signal),
                    p.handlerOwner(signal)));
        }
    }
}
