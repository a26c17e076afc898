// Live comments on a post page: a comment added in another browser appears here without a reload, and
// the heading says how many others are reading. Uses the stryke channels client (Stryke.channel).
(function () {
  var section = document.querySelector('section.comments[data-live]');
  if (!section || !window.Stryke) return;
  var list = section.querySelector('.comment-list');
  var heading = section.querySelector('.comment-heading');
  var status = section.querySelector('.live-status');
  var readers = {};
  var channel = Stryke.channel(section.getAttribute('data-live'));

  function showReaders() {
    var others = Object.keys(readers).length;
    status.hidden = false;
    status.textContent = others ? '· live, ' + others + ' other reader' + (others === 1 ? '' : 's') : '· live';
  }

  channel.on('ready', function () {
    section.setAttribute('data-live-ready', 'true');
    showReaders();
  });
  channel.on('close', function () { status.textContent = '· reconnecting…'; });
  channel.on('presence', function (p) {
    if (p.event === 'join') readers[p.member.id] = true;
    else delete readers[p.member.id];
    showReaders();
  });
  channel.on('comment', function (c) {
    if (list.querySelector('[data-comment-id="' + String(c.id).replace(/\D/g, '') + '"]')) return;
    var empty = list.querySelector('.empty');
    if (empty) empty.remove();
    var item = document.createElement('div');
    item.className = 'comment live';
    item.setAttribute('data-comment-id', String(c.id));
    var head = document.createElement('p');
    var who = document.createElement('strong');
    who.textContent = c.author;
    var when = document.createElement('span');
    when.className = 'meta';
    when.textContent = ' just now';
    head.appendChild(who);
    head.appendChild(when);
    var body = document.createElement('p');
    body.textContent = c.body;
    item.appendChild(head);
    item.appendChild(body);
    list.appendChild(item);
    heading.textContent = 'Comments (' + list.querySelectorAll('.comment').length + ')';
  });
})();
