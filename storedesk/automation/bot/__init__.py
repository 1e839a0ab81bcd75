"""The store's chat bot (issue 6, item 3): answers where-is-my-order from order data, returns,
shipping, payment and FAQ questions from the store's articles, and hands everything else to a
person with the transcript, intent and sentiment. See docs/livechat.md, "Bot"."""
