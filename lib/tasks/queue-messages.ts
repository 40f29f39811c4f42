// What a waiting task's card says, before and after Kling turned it away for a full account.
export const WAITING_MSG = "Waiting for a free slot";
export const BUSY_MSG = "Kling is busy (its parallel limit was reached); waiting for a free slot";
