package io.issuetrakbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class WaitingRoomTest {

    private final List<String> freed = new ArrayList<>();

    @Test
    void commandsWaitInsideUpToTheCapacityAndTheOthersGetInAsRoomFreesInArrivalOrder() {
        WaitingRoom room = new WaitingRoom(1_000);
        WaitingRoom.Ticket a = room.enter(600, () -> freed.add("a"));
        WaitingRoom.Ticket b = room.enter(500, () -> freed.add("b"));
        WaitingRoom.Ticket c = room.enter(300, () -> freed.add("c"));
        WaitingRoom.Ticket d = room.enter(100, () -> freed.add("d"));
        // c fits after a (900) but b came first and does not: c and d wait behind it, holding their slots.
        assertThat(freed).containsExactly("a");
        assertThat(room.holdingSlots()).isEqualTo(3);
        assertThat(room.used()).isEqualTo(600);

        a.leave();
        // b (500), c (300), d (100): 900 of 1 000.
        assertThat(freed).containsExactly("a", "b", "c", "d");
        assertThat(room.holdingSlots()).isZero();
        assertThat(room.used()).isEqualTo(900);

        b.leave();
        b.leave();
        assertThat(room.used()).isEqualTo(400);
        c.leave();
        d.leave();
        assertThat(room.used()).isZero();
    }

    @Test
    void aCommandThatLeavesWhileHoldingItsSlotGivesUpItsPlaceInTheLine() {
        WaitingRoom room = new WaitingRoom(100);
        WaitingRoom.Ticket a = room.enter(100, () -> freed.add("a"));
        WaitingRoom.Ticket b = room.enter(100, () -> freed.add("b"));
        room.enter(50, () -> freed.add("c"));
        b.leave();
        assertThat(room.holdingSlots()).isEqualTo(1);
        a.leave();
        assertThat(freed).containsExactly("a", "c");
        assertThat(room.used()).isEqualTo(50);
    }

    @Test
    void withoutCapacityEveryWaitingCommandKeepsItsSlot() {
        WaitingRoom room = new WaitingRoom(0);
        room.enter(1, () -> freed.add("a"));
        assertThat(freed).isEmpty();
        assertThat(room.holdingSlots()).isEqualTo(1);
    }
}
