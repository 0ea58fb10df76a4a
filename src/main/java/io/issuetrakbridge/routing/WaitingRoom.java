package io.issuetrakbridge.routing;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where commands that wait for their issue's order wait without holding one of the command stream's fetched-record
 * slots ({@code bridge.max-in-flight + bridge.scheduling.max-parked}), up to {@code bridge.routing.max-waiting-bytes}
 * of their values. Ordering a backlog by record timestamp means holding it until every partition has been read as
 * far: with the slots alone, a backlog of badly keyed commands larger than them stalls the reading it waits for. A
 * command that finds the room full keeps its slot, and is the first to give it back when room frees up.
 * <p>
 * Plain logic: the caller says what freeing a slot means.
 */
public final class WaitingRoom {

    private final long capacity;
    /** Guarded by this. */
    private long used;
    /** Guarded by this: commands holding their slot, in arrival order. */
    private final Deque<Ticket> holding = new ArrayDeque<>();

    /** @param capacity bytes of command values the room holds; 0: every waiting command keeps its slot */
    public WaitingRoom(long capacity) {
        this.capacity = capacity;
    }

    /** One command's stay. */
    public final class Ticket {
        private final int bytes;
        private final Runnable freeSlot;
        /** Guarded by the room. */
        private boolean inside;
        private boolean left;

        private Ticket(int bytes, Runnable freeSlot) {
            this.bytes = bytes;
            this.freeSlot = freeSlot;
        }

        /** The command is done (processed, failed or dropped): its room goes to the commands holding slots. */
        public void leave() {
            WaitingRoom.this.leave(this);
        }
    }

    /**
     * A command of {@code bytes} starts waiting: inside if there is room ({@code freeSlot} runs at once), else it
     * holds its slot until there is ({@code freeSlot} runs then).
     */
    public Ticket enter(int bytes, Runnable freeSlot) {
        Ticket ticket = new Ticket(bytes, freeSlot);
        synchronized (this) {
            // In arrival order: a small command does not pass a large one that holds its slot, or that one could
            // hold it for good.
            if (holding.isEmpty() && used + bytes <= capacity) {
                used += bytes;
                ticket.inside = true;
            } else {
                holding.addLast(ticket);
            }
        }
        if (ticket.inside) {
            freeSlot.run();
        }
        return ticket;
    }

    private void leave(Ticket ticket) {
        Deque<Ticket> admitted = new ArrayDeque<>();
        synchronized (this) {
            if (ticket.left) {
                return;
            }
            ticket.left = true;
            if (ticket.inside) {
                used -= ticket.bytes;
            } else {
                holding.remove(ticket);
            }
            while (!holding.isEmpty() && used + holding.peekFirst().bytes <= capacity) {
                Ticket next = holding.pollFirst();
                used += next.bytes;
                next.inside = true;
                admitted.add(next);
            }
        }
        // Outside the lock: freeing a slot lets the stream fetch, which may enter more commands.
        admitted.forEach(next -> next.freeSlot.run());
    }

    /** Waiting commands that hold a fetched-record slot (the room had no space for them). */
    public synchronized int holdingSlots() {
        return holding.size();
    }

    /** Bytes of command values inside. */
    public synchronized long used() {
        return used;
    }
}
