"""新媒体: the Party and government new-media accounts of 《宜春市党务政务新媒体管理办法》:
the account registry (台账) and its filings, the accounts' posts, and the checks that
flag breaches into the same review queue as the chat archive."""
