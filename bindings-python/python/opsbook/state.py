"""Where opsbook keeps state, and sending each alert transition once across replicas.

    store = Store.redis(os.environ["OPSBOOK_REDIS_URL"])
    log = DeliveryLog(store, owner=f"{socket.gethostname()}:{os.getpid()}")
    for event in engine.evaluate(now, samples):
        if event.notify:
            log.deliver(delivery_id(event), lambda: post_to_dingtalk(event))
"""

from ._opsbook import DeliveryLog, Store, delivery_id

__all__ = ["DeliveryLog", "Store", "delivery_id"]
