# The book's idea (chapter 18), in its spirit rather than its exact code: first a blocking
# echo server, which serves one client until it hangs up; then a reactor, one thread that asks
# select() which sockets are ready and runs a generator per connection until it must wait.
import socket
from collections import deque
from select import select

def blocking_server(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(address)
    sock.listen(5)
    while True:
        client, addr = sock.accept()      # the next client waits until this one is gone
        while True:
            data = client.recv(1024)
            if not data:
                break
            client.sendall(handle(data))
        client.close()

tasks, recv_wait, send_wait = deque(), {}, {}

def reactor():
    while any([tasks, recv_wait, send_wait]):
        while not tasks:                  # nothing runnable: sleep in select()
            can_recv, can_send, _ = select(recv_wait, send_wait, [])
            tasks.extend(recv_wait.pop(s) for s in can_recv)
            tasks.extend(send_wait.pop(s) for s in can_send)
        task = tasks.popleft()
        try:
            why, sock = next(task)         # run the handler until it would block
            (recv_wait if why == "recv" else send_wait)[sock] = task
        except StopIteration:
            pass

def handler(client):
    while True:
        yield "recv", client
        request = client.recv(100)
        if not request:
            break
        reply = handle(request)           # fib(30) here stops every other connection
        yield "send", client
        client.send(reply)
