-- Reads, without changing anything, where the line stands: a number's lockout and the budget.
-- KEYS: by-hash, by-owner, expiry, live-by-code, guess-spend, caller lockout
-- ARGV: now, oldest, bucket (as for checkGuess)
-- Reply: {lockedUntil or '', livePins, riskSpent (RISK_UNITs), guessesMissed}
--- @include "includes/guess-spend"
local spent, guesses = spentSince(ARGV[2], false, ARGV[3])
local live = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[1], '+inf')
return {redis.call('GET', KEYS[6]) or '', live, spent, guesses}
