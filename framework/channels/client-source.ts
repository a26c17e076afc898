/**
 * The browser client, served as is (no build step) at a fingerprinted path (see client.ts):
 *   const chat = Stryke.channel('/chat/42');
 *   chat.on('message', (data, meta) => ...);      // a broadcast's event name; meta: { stream, id }
 *   chat.on('presence', (p) => ...);              // { stream, event: 'join' | 'leave', member }
 *   chat.on('ready' | 'close' | 'error', ...);
 *   await chat.perform('speak', { body: 'hi' });  // resolves with the action's return value
 *   chat.close();
 * It reconnects with backoff (not after a 4000-4999 refusal) and resumes from the last event id it saw.
 * No template literals inside: this file's text is the script.
 */
export const CLIENT_SOURCE = String.raw`(function (root) {
  'use strict';
  var MAX_QUEUE = 100;
  function Channel(path, options) {
    options = options || {};
    this.path = path;
    this.options = options;
    this.listeners = {};
    this.pending = {};
    this.queue = [];
    this.nextRef = 1;
    this.lastEventId = options.lastEventId || null;
    this.seen = [];
    this.attempt = 0;
    this.closed = false;
    this.ready = false;
    this.connect();
  }
  Channel.prototype.url = function () {
    var loc = root.location;
    var base = /^wss?:/.test(this.path) ? this.path : (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + this.path;
    if (!this.lastEventId) return base;
    return base + (base.indexOf('?') >= 0 ? '&' : '?') + 'lastEventId=' + encodeURIComponent(this.lastEventId);
  };
  Channel.prototype.connect = function () {
    var self = this;
    var socket = new root.WebSocket(this.url());
    this.socket = socket;
    socket.onmessage = function (e) { self.receive(e.data); };
    socket.onclose = function (e) {
      self.ready = false;
      self.emit('close', { code: e.code, reason: e.reason });
      if (self.closed) return;
      if (e.code >= 4000 && e.code <= 4999) { self.closed = true; self.failAll({ code: 'STRYKE_E_CHANNELS_REJECTED', message: e.reason || 'rejected' }); return; }
      var delay = Math.min(15000, 250 * Math.pow(2, self.attempt++)) * (0.5 + Math.random() / 2);
      self.timer = setTimeout(function () { self.connect(); }, delay);
    };
    socket.onerror = function () { self.emit('error', { code: 'STRYKE_E_CHANNELS_SOCKET', message: 'connection failed' }); };
  };
  Channel.prototype.receive = function (text) {
    var m;
    try { m = JSON.parse(text); } catch (err) { return; }
    if (m.type === 'event') {
      if (m.id) {
        if (this.seen.indexOf(m.id) >= 0) return;
        this.seen.push(m.id);
        if (this.seen.length > 500) this.seen.shift();
        this.lastEventId = m.id;
      }
      this.emit(m.event, m.data, { stream: m.stream, id: m.id });
    } else if (m.type === 'presence') {
      this.emit('presence', { stream: m.stream, event: m.event, member: m.member });
    } else if (m.type === 'ready') {
      this.ready = true;
      this.attempt = 0;
      this.connection = m.connection;
      var queued = this.queue;
      this.queue = [];
      for (var i = 0; i < queued.length; i++) this.socket.send(queued[i]);
      this.emit('ready', { connection: m.connection });
    } else if (m.type === 'reply' || m.type === 'error') {
      var p = m.ref !== undefined ? this.pending[m.ref] : undefined;
      if (p) {
        delete this.pending[m.ref];
        if (m.type === 'reply') p.resolve(m.data); else p.reject(m);
      } else if (m.type === 'error') {
        this.emit('error', m);
      }
    }
  };
  Channel.prototype.perform = function (action, data) {
    var self = this;
    var ref = this.nextRef++;
    var frame = JSON.stringify({ action: action, data: data, ref: ref });
    return new Promise(function (resolve, reject) {
      if (self.closed) return reject({ code: 'STRYKE_E_CHANNELS_CLOSED', message: 'the channel is closed' });
      self.pending[ref] = { resolve: resolve, reject: reject };
      if (self.ready) self.socket.send(frame);
      else if (self.queue.length < MAX_QUEUE) self.queue.push(frame);
      else { delete self.pending[ref]; reject({ code: 'STRYKE_E_CHANNELS_QUEUE_FULL', message: 'not connected' }); }
    });
  };
  Channel.prototype.on = function (event, fn) {
    (this.listeners[event] = this.listeners[event] || []).push(fn);
    return this;
  };
  Channel.prototype.off = function (event, fn) {
    var list = this.listeners[event] || [];
    var at = list.indexOf(fn);
    if (at >= 0) list.splice(at, 1);
    return this;
  };
  Channel.prototype.emit = function (event, data, meta) {
    var list = (this.listeners[event] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try { list[i](data, meta); } catch (err) { setTimeout(function () { throw err; }); }
    }
  };
  Channel.prototype.failAll = function (error) {
    for (var ref in this.pending) { this.pending[ref].reject(error); }
    this.pending = {};
    this.queue = [];
  };
  Channel.prototype.close = function () {
    this.closed = true;
    clearTimeout(this.timer);
    this.failAll({ code: 'STRYKE_E_CHANNELS_CLOSED', message: 'the channel is closed' });
    if (this.socket) this.socket.close(1000);
  };
  root.Stryke = root.Stryke || {};
  root.Stryke.channel = function (path, options) { return new Channel(path, options); };
})(typeof window !== 'undefined' ? window : globalThis);
`;
