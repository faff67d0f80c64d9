"""Serve moto's server app one request at a time.

moto_server's stock server is threaded and moto's backends are not safe under
concurrent requests: racing TransactWriteItems oversell. This launcher wraps
moto's WSGI application in a global lock, so every request is handled alone and
the emulator gives what DynamoDB guarantees (atomic conditional writes,
serializable transactions). Connections are still accepted on many threads;
only the application call is serialized. TransactWriteItems honours its
ClientRequestToken as DynamoDB does (see transaction_tokens).

moto's transact_write_items also deep-copies every table a transaction
touches, once per item, so it can roll back: a placement on a 2,000-item
catalog copied the catalog several times and cost grew with the data. The
launcher replaces that with an undo log of just the items the transaction
writes (their prior state, or their absence), restored in reverse on
failure; everything else is moto's. JIAOYI_EMULATOR_UNDO_LOG=0 keeps moto's
own behaviour, for comparing the two.

It binds 127.0.0.1 on the port given (0 picks a free one), prints
"READY <port>" on stdout once it accepts connections, and exits when its stdin
closes, so the emulator never outlives the process that started it.
"""

import os
import signal
import sys
import threading
import time


def install_undo_log() -> None:
    """Make moto's DynamoDB transactions roll back from an undo log of the
    items they write instead of from copies of whole tables.

    The order of checks is moto's: each item in turn is checked for being
    the only operation on its key, its condition is evaluated against the
    current item (ALL_OLD returns it), and the write is applied; any failed
    item cancels the transaction with one reason per item. Written by hand
    because moto has no switch for it.
    """
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    def transact_write_items(self, transact_items):
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        undo = []  # (table, hash, range, the item before, or None)
        stream_marks = {}  # table -> stream records before the transaction
        touched = set()

        def remember(table_name, key):
            table = self.get_table(table_name)
            if table.stream_shard is not None and table_name not in stream_marks:
                stream_marks[table_name] = (table, len(table.stream_shard.items))
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            before = table.get_item(hash_value, range_value)
            # The attributes as plain data: cheaper to take than a deep copy
            # of the item, and rebuilt only on the rare rollback.
            undo.append((table, hash_value, range_value, None if before is None else before.to_json()["Attributes"]))

        def rollback():
            for table, hash_value, range_value, attrs in reversed(undo):
                before = None if attrs is None else Item(hash_value, range_value, attrs)
                if before is None:
                    if range_value is not None:
                        table.items.get(hash_value, {}).pop(range_value, None)
                    else:
                        table.items.pop(hash_value, None)
                elif range_value is not None:
                    table.items[hash_value][range_value] = before
                else:
                    table.items[hash_value] = before
            for table, mark in stream_marks.values():
                del table.stream_shard.items[mark:]

        reasons = []
        cancelled = False
        try:
            for entry in transact_items:
                if len(entry) > 1:
                    raise TransactWriteSingleOpException
                current_item = None
                try:
                    op_type, op = next(iter(entry.items()))
                    if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                        raise ValueError("Unsupported transaction operation")
                    table_name = op["TableName"]
                    names = op.get("ExpressionAttributeNames")
                    values = op.get("ExpressionAttributeValues")
                    condition = op.get("ConditionExpression")
                    if op_type == "Put":
                        table = self.get_table(table_name)
                        key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                        if table.range_key_attr is not None:
                            key[table.range_key_attr] = op["Item"][table.range_key_attr]
                    else:
                        key = op["Key"]
                    marker = (str(table_name), str(dict(sorted(key.items()))))
                    if marker in touched:
                        raise MultipleTransactionsException()
                    touched.add(marker)
                    current = self.get_item(table_name, key)
                    if condition is not None and not get_filter_expression(condition, names, values).expr(current):
                        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                            current_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=current_item)
                    if op_type != "ConditionCheck" and not cancelled:
                        # The condition held against the item as it is (the
                        # lock holds it still), so the write does not
                        # evaluate it again. Once an item has failed, the
                        # transaction is cancelled: the rest only have their
                        # conditions checked (each key occurs once, so no
                        # earlier write could change their outcome), not
                        # their writes applied and undone.
                        remember(table_name, key)
                        if op_type == "Put":
                            self.put_item(table_name, op["Item"],
                                          expression_attribute_names=names, expression_attribute_values=values)
                        elif op_type == "Delete":
                            self.delete_item(table_name, key,
                                             expression_attribute_names=names, expression_attribute_values=values)
                        elif op_type == "Update":
                            self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                             expression_attribute_names=names, expression_attribute_values=values)
                    reasons.append((None, None, None))
                except (MultipleTransactionsException, MockValidationException):
                    raise
                except ConditionalCheckFailed as e:
                    reasons.append(("ConditionalCheckFailed", str(e.message), current_item))
                    cancelled = True
                except Exception as e:  # moto reports any other failure as the item's reason
                    reasons.append((type(e).__name__, str(e), current_item))
                    cancelled = True
        except BaseException:
            rollback()
            raise
        if any(code is not None for code, _, _ in reasons):
            rollback()
            raise TransactionCanceledException(reasons)

    DynamoDBBackend.transact_write_items = transact_write_items


# The data-plane operations whose results are already DynamoDB JSON on the
# wire (attribute values as {"S": …}); moto serializes them generically
# through the service model, which is most of a request's time.
FAST_OPERATIONS = {
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
    "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems",
}


def install_fast_responses() -> None:
    """Answer DynamoDB's data-plane operations, and reads of its streams,
    with a plain JSON dump of their results instead of moto's model-driven
    serializer (a GetRecords of a few hundred catalog changes took it 1.7
    s, holding up every other request); errors and every other operation
    keep moto's. Only the output shape's top-level members are written,
    binary values are base64 and timestamps epoch seconds, as moto writes
    them. Written by hand because moto has no switch for it."""
    import base64
    import calendar
    import datetime
    import json

    from moto.core.responses import get_service_model
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def encode(value):
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(value).decode()
        if isinstance(value, datetime.datetime):
            seconds = calendar.timegm(value.timetuple())
            return seconds + (value.microsecond // 1000) / 1000.0 if value.microsecond else seconds
        raise TypeError(f"cannot encode {type(value).__name__}")

    def fast(handler, service, operations):
        original = handler.serialized
        members = {}  # operation -> the top-level members its output shape has

        def output_members(action):
            if action not in members:
                shape = get_service_model(service).operation_model(action).output_shape
                members[action] = set(shape.members) if shape is not None else set()
            return members[action]

        def serialized(self, action_result):
            action = self._get_action()
            if type(action_result.result) is dict and action in operations:
                keep = output_members(action)
                result = {k: v for k, v in action_result.result.items() if k in keep and v is not None}
                try:
                    body = json.dumps(result, default=encode, separators=(",", ":"))
                except TypeError:
                    return original(self, action_result)
                headers = {"Content-Type": "application/x-amz-json-1.0"}
                headers.update(self.response_headers)
                return 200, headers, body
            return original(self, action_result)

        handler.serialized = serialized

    fast(DynamoHandler, "dynamodb", FAST_OPERATIONS)
    fast(DynamoDBStreamsHandler, "dynamodbstreams", {"GetRecords"})


def linear_item_size_check() -> None:
    """moto checks an item's 400 KB limit on every attribute it sets while
    building the item, re-measuring all attributes each time: quadratic in
    the attributes, most of a write's time for an order-sized item. Build
    the item first and check its total once: the same limit, the same
    error, in linear time (later single-attribute sets keep moto's check).
    Written by hand because moto has no switch for it."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def init(self, hash_key, range_key, attrs):
        self.hash_key = hash_key
        self.range_key = range_key
        built = LimitedSizeDict()
        total = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            dict.__setitem__(built, key, typed)
            total += bytesize(key) + typed.size()
        if total > 405000:
            raise ItemSizeTooLarge
        self.attrs = built

    Item.__init__ = init


def cache_module_list() -> None:
    """moto's dispatcher lists its package directory (a listdir and a
    stat per service) on every request to find the service a host names;
    the list never changes while the server runs, so compute it once."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def cache_expression_parsing() -> None:
    """moto parses every update expression and lexes every condition
    expression from scratch on each call, though a service sends the same
    few strings over and over. Parsing depends on the string alone: the
    update expression's tree is deep-copied by moto's validator before it
    is touched, and the condition lexer's tokens are immutable tuples, so
    both are kept by string (bounded) and handed out fresh."""
    from collections import deque

    from moto.dynamodb import comparisons
    from moto.dynamodb.parsing import expressions

    limit = 4096
    make = expressions.UpdateExpressionParser.make.__func__
    trees: dict = {}

    def cached_make(cls, expression_str):
        tree = trees.get(expression_str)
        if tree is None:
            tree = make(cls, expression_str)
            tree._jiaoyi_text = expression_str  # the validation cache's key
            if len(trees) < limit:
                trees[expression_str] = tree
        return tree

    expressions.UpdateExpressionParser.make = classmethod(cached_make)

    lex = comparisons.ConditionExpressionParser._lex_condition_expression
    tokens: dict = {}

    def cached_lex(self):
        key = self.condition_expression
        got = tokens.get(key)
        if got is None:
            got = tuple(lex(self))
            if len(tokens) < limit:
                tokens[key] = got
        return deque(got)

    comparisons.ConditionExpressionParser._lex_condition_expression = cached_lex


def fast_update_validation() -> None:
    """moto validates every update expression by deep-copying its parsed
    tree and walking the copy with ten processors, each of which rebuilds
    its node-type map at every node; that was most of an UpdateItem's
    time. Copy the tree by its structure instead (its nodes hold only
    children, a parent and a type name; anything else in them is deep-
    copied as before), and walk it asking each node's type once per
    processor. Written by hand because moto has no switch for it."""
    from copy import deepcopy

    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node

    immutable = (str, int, float, bool, bytes, type(None))

    def clone(node, parent):
        new = object.__new__(type(node))
        attrs = {}
        for name, value in node.__dict__.items():
            if name == "parent":
                continue
            if name == "children" and isinstance(value, list):
                attrs[name] = [clone(c, new) if isinstance(c, Node) else (c if isinstance(c, immutable) else deepcopy(c)) for c in value]
            elif isinstance(value, immutable):
                attrs[name] = value
            else:
                attrs[name] = deepcopy(value)
        attrs["parent"] = parent
        new.__dict__ = attrs
        return new

    original_init = validators.Validator.__init__
    original_validate = validators.Validator.validate
    # Checks that depend on the expression's text, its names and the
    # table's keys only (clause counts, overlapping paths, key updates): an
    # expression that passed them once passes them again. The parse cache
    # marks each tree with its text.
    static_checks = (validators.ActionCountValidator, validators.OverlappingPathsValidator,
                     validators.UpdateHashRangeKeyValidator)
    passed: set = set()

    def init(self, expression, expression_attribute_names, expression_attribute_values, item, table):
        if not isinstance(expression, Node) or expression.parent is not None:
            return original_init(self, expression, expression_attribute_names, expression_attribute_values, item, table)
        self.expression_attribute_names = expression_attribute_names
        self.expression_attribute_values = expression_attribute_values
        self.item = item
        self.table = table
        self.processors = self.get_ast_processors()
        self.node_to_validate = clone(expression, None)
        text = expression.__dict__.get("_jiaoyi_text")
        self._jiaoyi_static = None if text is None else (text, tuple(sorted((expression_attribute_names or {}).items())), table.name)
        if self._jiaoyi_static in passed:
            self.processors = [p for p in self.processors if not isinstance(p, static_checks)]

    def validate(self):
        node = original_validate(self)
        key = self.__dict__.get("_jiaoyi_static")
        if key is not None and len(passed) < 65536:
            passed.add(key)
        return node

    validators.Validator.__init__ = init
    validators.Validator.validate = validate

    # Node classes use ABCMeta, whose isinstance is slow; each traversal
    # asked it twice per node. Answer by the node's exact type, from
    # issubclass results kept per type (per processor for its map, in the
    # map's order, as moto's process picks the first match).
    is_node_type: dict = {}

    def is_node(t):
        known = is_node_type.get(t)
        if known is None:
            known = is_node_type[t] = issubclass(t, Node)
        return known

    def handler(self, t):
        handlers = self.__dict__.get("_jiaoyi_handlers")
        if handlers is None:
            handlers = self._jiaoyi_handlers = {}
        if t not in handlers:
            handlers[t] = next((fn for cls, fn in self._processing_map().items() if issubclass(t, cls)), None)
        return handlers[t]

    def traverse_node_recursively(self, node, child_id=-1):
        if is_node(type(node)):
            parent_node = node.parent
            if node.children is not None:
                for i, child_node in enumerate(node.children):
                    self.pre_processing_of_child(node, i)
                    self.traverse_node_recursively(child_node, i)
            fn = handler(self, type(node))
            if fn is not None:
                node = fn(node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
        return node

    DepthFirstTraverser.traverse_node_recursively = traverse_node_recursively


def lazy_queue_attributes() -> None:
    """moto computes every attribute of a queue, message counts included
    (three passes over all its messages, reading the clock per message),
    whenever it reads one: SendMessage asks for ContentBasedDeduplication,
    so each send cost time in proportion to the queue's backlog (a
    payment-timeout queue holds a message per open order). Answer the same
    mapping, computing each value only when it is read. Written by hand
    because moto has no switch for it."""
    import json
    from collections.abc import Mapping

    from moto.sqs.models import Queue
    from moto.core.utils import camelcase_to_underscores

    class Attributes(Mapping):
        def __init__(self, queue):
            self._queue = queue
            names = list(queue.BASE_ATTRIBUTES)
            if queue.fifo_queue:
                names += queue.FIFO_ATTRIBUTES
            if queue.kms_master_key_id:
                names += queue.KMS_ATTRIBUTES
            if queue.policy:
                names.append("Policy")
            if queue.redrive_policy:
                names.append("RedrivePolicy")
            self._names = list(dict.fromkeys(names))

        def __getitem__(self, name):
            if name not in self._names:
                raise KeyError(name)
            q = self._queue
            if name == "Policy" and q.policy:
                value = q.policy
            elif name == "RedrivePolicy" and q.redrive_policy:
                value = json.dumps(q.redrive_policy)
            else:
                value = getattr(q, camelcase_to_underscores(name))
            return str(value).lower() if isinstance(value, bool) else value

        def __iter__(self):
            return iter(self._names)

        def __len__(self):
            return len(self._names)

    Queue.attributes = property(lambda self: Attributes(self))


def fast_message_clock() -> None:
    """moto decides whether a queued message may be received by reading
    the clock through datetime arithmetic twice per message, on every
    ReceiveMessage, over the queue's whole backlog: a payment-timeout queue
    holds a delayed message per open order, so each empty poll of it held
    the emulator for milliseconds, longer as orders piled up. Read the
    clock once per pass with the same epoch milliseconds and the same
    comparisons. Written by hand because moto has no switch for it."""
    from moto.sqs.models import Message, Queue

    def now_ms():
        return time.time() * 1000.0

    Message.visible = property(lambda self: now_ms() > self.visible_at)
    Message.delayed = property(lambda self: now_ms() < self.delayed_until)

    def messages(self):
        now = now_ms()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    Queue.messages = property(messages)


def cache_action_names() -> None:
    """moto lists a handler class's methods with inspect.getmembers on
    every request to find the action's method; a class's methods never
    change while the server runs, so list them once per class."""
    from moto.core import responses, utils

    names: dict = {}
    original = utils.method_names_from_class

    def method_names_from_class(clazz):
        got = names.get(clazz)
        if got is None:
            got = names[clazz] = original(clazz)
        return got

    responses.method_names_from_class = method_names_from_class


def partition_queries() -> None:
    """moto answers a Query on a table's own key by listing and sorting
    every item of the table and keeping those of the partition asked for:
    each read of one SKU's demand history cost a third of a second once
    the Analytics table held two years of it. Hand that Query the
    partition's items alone (already kept by key), in the same order.
    Index queries keep moto's path. Written by hand because moto has no
    switch for it."""
    import inspect

    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)

    def all_items(self):
        hash_key = self.__dict__.get("_jiaoyi_partition")
        if hash_key is None:
            return original_all_items(self)
        part = self.items.get(hash_key)
        if part is None:
            return []
        if not self.range_key_attr:
            return [part]
        return sorted(part.values(), key=lambda item: item.range_key)

    def query(self, *args, **kwargs):
        arguments = signature.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        if arguments.get("index_name") or hash_key is None:
            return original_query(self, *args, **kwargs)
        self._jiaoyi_partition = hash_key
        try:
            return original_query(self, *args, **kwargs)
        finally:
            del self._jiaoyi_partition

    Table.all_items = all_items
    Table.query = query


def remember_conditions() -> None:
    """moto parses a condition expression once to validate a request and
    again to apply it (a transaction's six conditions, twelve parses), and
    parsing is most of what a condition costs. Keep the parsed condition
    by its text, names and values (bounded, oldest out first) and hand the
    same tree out again with the names and values it found: evaluating a
    tree only reads it. Expressions that fail to parse are not kept, so
    they fail every time. Written by hand because moto has no switch for
    it."""
    import json

    from moto.dynamodb import comparisons

    parse = comparisons.ConditionExpressionParser.parse
    kept: dict = {}
    limit = 4096

    def remembered(self):
        try:
            key = (self.condition_expression, json.dumps(self.expression_attribute_names, sort_keys=True),
                   json.dumps(self.expression_attribute_values, sort_keys=True))
        except TypeError:  # binary values: not worth a key
            return parse(self)
        got = kept.get(key)
        if got is None:
            op = parse(self)
            got = (op, tuple(self.expr_attr_names_found), tuple(self.expr_attr_values_found))
            if len(kept) >= limit:
                del kept[next(iter(kept))]
            kept[key] = got
            return op
        self.expr_attr_names_found.extend(got[1])
        self.expr_attr_values_found.extend(got[2])
        return got[0]

    comparisons.ConditionExpressionParser.parse = remembered


def json_errors_without_xml() -> None:
    """Every error moto raises builds an XML body first, then JSON errors
    (all of DynamoDB's and SQS's) replace it with their JSON one; moto's
    update validator raises and catches one for each if_not_exists on an
    absent attribute. Build only the JSON: the same fields, the same body.
    Written by hand because moto has no switch for it."""
    import json

    from moto.core.exceptions import JsonRESTError
    from werkzeug.exceptions import HTTPException

    def init(self, error_type, message, _="", **kwargs):
        HTTPException.__init__(self)
        self.error_type = error_type
        self.message = message
        self.description = json.dumps({"__type": error_type, "message": message})
        self.content_type = "application/json"

    JsonRESTError.__init__ = init


def freeze_survivors():
    """Python's full garbage collection walks every live object; once make
    run holds two years of demand history that is millions, and each full
    collection held the emulator for up to 0.8 s while finding a few
    thousand cycles. After each full collection, move what survived it to
    the permanent generation (gc.freeze), so the next walks only what was
    made since. Frozen objects are still freed by reference counting when
    they go (moto's items hold no cycles); only a cycle among them would
    stay. Returns what to call between requests: freezing is not done
    inside a collection."""
    import gc

    full = [True]  # freeze what the imports made, too

    def note(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full[0] = True

    gc.callbacks.append(note)

    def between_requests():
        if full[0]:
            full[0] = False
            gc.freeze()

    return between_requests


# The SQS operations a service's hot path sends, answered like FAST_OPERATIONS
# by direct_data_plane.
SQS_DIRECT = {
    "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
    "DeleteMessageBatch", "ChangeMessageVisibility",
}


def direct_data_plane(app):
    """Wrap the WSGI app so DynamoDB's data-plane requests and SQS's message
    requests reach moto's handler directly instead of through Flask,
    werkzeug's request object and moto's model-driven request parser:
    together those were about two milliseconds of every request, more than
    most operations cost.

    The handler is moto's own (DynamoHandler, SQSResponse), set up by its setup_class
    and answered by its own call_action (errors, CRC32 header, request id
    and all). What is replaced is how the request's parameters are made:
    json.loads, then only the conversions moto's JSON parser would apply
    (base64 blobs, timestamps, numbers), found once per operation from the
    same service model. A body the parser would treat differently (JSON
    nulls, which it drops; a compressed body; anything not a JSON object)
    takes moto's path. JIAOYI_EMULATOR_CHECK_DIRECT=1 parses every request
    both ways and refuses (HTTP 500) one where they differ. Written by hand
    because moto has no switch for it."""
    import io
    import json

    from moto.core.parse import default_blob_parser, default_timestamp_parser
    from moto.core.responses import get_service_model
    from moto.dynamodb.responses import DynamoHandler
    from moto.sqs.responses import SQSResponse
    from werkzeug.datastructures import EnvironHeaders
    from werkzeug.http import HTTP_STATUS_CODES

    # X-Amz-Target prefix -> the handler class, its service model, the
    # operations answered directly.
    services = {
        "DynamoDB_20120810.": (DynamoHandler, get_service_model("dynamodb"), FAST_OPERATIONS),
        "AmazonSQS.": (SQSResponse, get_service_model("sqs"), SQS_DIRECT),
    }
    check = os.environ.get("JIAOYI_EMULATOR_CHECK_DIRECT") == "1"
    scalar = {
        "blob": default_blob_parser, "timestamp": default_timestamp_parser,
        "float": float, "double": float,
        "integer": int, "long": int, "short": int, "byte": int,
    }

    def converter(shape, memo):
        """The function turning shape's json.loads value into what moto's
        parser makes of it, or None where that is the value itself."""
        if shape.type_name in scalar:
            return scalar[shape.type_name]
        if shape.type_name == "list":
            member = converter(shape.member, memo)
            return None if member is None else (lambda v: [member(x) for x in v])
        if shape.type_name == "map":
            value = converter(shape.value, memo)
            return None if value is None else (lambda v: {k: value(x) for k, x in v.items()})
        if shape.type_name != "structure" or shape.is_document_type:
            return None
        if shape.name in memo:  # a recursive shape (AttributeValue's M and L)
            return memo[shape.name]
        members = []
        memo[shape.name] = lambda v: convert(v)
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            fn = converter(member, memo)
            if fn is not None or wire != name:
                members.append((name, wire, fn or (lambda x: x)))

        def convert(v):
            for name, wire, fn in members:
                raw = v.get(wire)
                if raw is not None:
                    if wire != name:
                        del v[wire]
                    v[name] = fn(raw)
            return v

        # A recursive use compiled meanwhile calls convert, which is right
        # either way.
        memo[shape.name] = convert if members else None
        return memo[shape.name]

    converters = {}

    def params(model, action, body):
        key = (model.service_name, action)
        fn = converters.get(key, False)
        if fn is False:
            shape = model.operation_model(action).input_shape
            fn = converters[key] = converter(shape, {}) if shape is not None else None
        return body if fn is None else fn(body)

    class Request:
        """What moto's setup_class reads of a request."""

        def __init__(self, environ, body):
            self.environ = environ
            self.body = body
            self.headers = EnvironHeaders(environ)
            self.method = "POST"

    def serve(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        prefix, _, action = target.partition(".")
        service = services.get(prefix + ".")
        if service is None or action not in service[2] or environ.get("REQUEST_METHOD") != "POST" or environ.get("HTTP_CONTENT_ENCODING"):
            return app(environ, start_response)
        handler_class, model, _ = service
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body = None
        if b"null" not in raw:
            try:
                body = json.loads(raw)
            except ValueError:
                pass
        if type(body) is not dict:
            environ["wsgi.input"] = io.BytesIO(raw)
            return app(environ, start_response)
        parsed = params(model, action, body)
        handler = handler_class()
        handler.parse_parameters = lambda _request: setattr(handler, "params", parsed)
        request = Request(environ, raw)
        url = "http://" + (environ.get("HTTP_HOST") or "localhost") + (environ.get("PATH_INFO") or "/")
        handler.setup_class(request, url, request.headers)
        if check:
            from werkzeug import Request as WerkzeugRequest

            environ["wsgi.input"] = io.BytesIO(raw)
            moto = handler_class()
            moto.setup_class(WerkzeugRequest(environ), url, request.headers)
            if moto.params != parsed:
                msg = f"direct parse differs for {action}: {parsed!r} != {moto.params!r}".encode()
                start_response("500 Internal Server Error", [("Content-Type", "text/plain"), ("Content-Length", str(len(msg)))])
                return [msg]
        status, headers, content = handler.call_action()
        status = int(status)
        content = content.encode() if isinstance(content, str) else (content or b"")
        out = [(k, str(v)) for k, v in headers.items() if k.lower() not in ("status", "content-length")]
        if not any(k.lower() == "content-type" for k, _ in out):
            out.append(("Content-Type", "application/x-amz-json-1.0"))
        out.append(("Content-Length", str(len(content))))
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}", out)
        return [content]

    return serve


def transaction_tokens(app):
    """Make TransactWriteItems idempotent by ClientRequestToken, as DynamoDB
    does: for ten minutes a transaction whose token already succeeded is
    answered as it was and not applied again, and the token with other
    parameters is an IdempotentParameterMismatchException. A transaction
    that failed is not remembered, so its retry runs anew. The AWS SDKs
    fill the token in and keep it across their retries, so against
    DynamoDB a retry of a transaction whose answer was lost on the way is
    harmless; moto ignores the token and applied such a retry again (or
    failed its conditions). Written by hand because moto has no switch for
    it."""
    import collections
    import hashlib
    import io
    import json
    import zlib

    window = 600.0
    seen = collections.OrderedDict()  # token -> (expires, digest, status, headers, body), oldest first
    target = "DynamoDB_20120810.TransactWriteItems"

    def serve(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET") != target or environ.get("HTTP_CONTENT_ENCODING"):
            return app(environ, start_response)
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        token = body.pop("ClientRequestToken", None) if type(body) is dict else None
        if not isinstance(token, str) or not token:
            return app(environ, start_response)
        now = time.monotonic()
        while seen and next(iter(seen.values()))[0] <= now:
            seen.popitem(last=False)
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        known = seen.get(token)
        if known is not None:
            if known[1] != digest:
                msg = json.dumps({
                    "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                    "message": "The ClientRequestToken was used with different parameters within the last ten minutes",
                }).encode()
                start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(msg))),
                                                   ("x-amz-crc32", str(zlib.crc32(msg)))])
                return [msg]
            start_response(known[2], list(known[3]))
            return [known[4]]
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        result = app(environ, capture)
        try:
            out = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if answer.get("status", "").startswith("200"):
            seen[token] = (now + window, digest, answer["status"], answer["headers"], out)
        return [out]

    return serve


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    import logging

    # One line per request on stderr would drown real errors.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )

    if os.environ.get("JIAOYI_EMULATOR_UNDO_LOG", "1") != "0":
        install_undo_log()
    if os.environ.get("JIAOYI_EMULATOR_FAST_RESPONSES", "1") != "0":
        install_fast_responses()
        cache_module_list()
        linear_item_size_check()
        cache_expression_parsing()
        lazy_queue_attributes()
        fast_update_validation()
        fast_message_clock()
        cache_action_names()
        partition_queries()
        remember_conditions()
        json_errors_without_xml()
    app = DomainDispatcherApplication(create_backend_app)
    if os.environ.get("JIAOYI_EMULATOR_FAST_RESPONSES", "1") != "0":
        app = direct_data_plane(app)
    app = transaction_tokens(app)
    lock = threading.Lock()
    # JIAOYI_EMULATOR_TIMINGS=<file> appends "<service action>\t<ms>" per
    # request, to find what a workload spends its emulator time on.
    timings_path = os.environ.get("JIAOYI_EMULATOR_TIMINGS")
    timings = open(timings_path, "a", buffering=1) if timings_path else None

    # JIAOYI_EMULATOR_PROFILE=<file> profiles request handling (cProfile),
    # rewriting file's pstats every 100 requests.
    profile_path = os.environ.get("JIAOYI_EMULATOR_PROFILE")
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()

        def restart_profile(*_):  # kill -USR1 <pid>: profile from now on
            nonlocal profiler
            with lock:
                profiler = cProfile.Profile()

        signal.signal(signal.SIGUSR1, restart_profile)
    served = [0]
    between_requests = freeze_survivors() if os.environ.get("JIAOYI_EMULATOR_FAST_RESPONSES", "1") != "0" else (lambda: None)
    # GET /_jiaoyi/stats answers how many requests the emulator served and
    # how long it was busy with them, for load tools to report its rate.
    stats = {"requests": 0, "busySeconds": 0.0}

    def serial(environ, start_response):
        if environ.get("PATH_INFO") == "/_jiaoyi/stats":
            import json

            with lock:
                body = json.dumps(stats).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        with lock:
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if profiler is not None:
                profiler.disable()
                served[0] += 1
                if served[0] % 100 == 0:
                    profiler.dump_stats(profile_path)
            stats["requests"] += 1
            stats["busySeconds"] += time.perf_counter() - started
            between_requests()
            if timings is not None:
                action = environ.get("HTTP_X_AMZ_TARGET") or (environ.get("REQUEST_METHOD", "") + " " + environ.get("PATH_INFO", ""))
                timings.write(f"{action}\t{(time.perf_counter() - started) * 1000:.2f}\n")
        return [body]

    server = make_server("127.0.0.1", port, serial, threaded=True)
    server.daemon_threads = True
    # A test opens hundreds of connections at once; with werkzeug's backlog
    # of 128 the overflow waits for SYN retransmits (1 s, 3 s, …).
    server.socket.listen(4096)

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    # Ctrl-C in a terminal reaches the whole process group; the parent decides
    # when the emulator stops (by closing stdin), so requests in flight finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
